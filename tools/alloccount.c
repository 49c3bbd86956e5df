/* alloccount: counts CPython's memory allocations (dev tool for profile_servers.py).
 *
 * Wraps the PYMEM_DOMAIN_MEM and PYMEM_DOMAIN_OBJ allocators: every malloc,
 * calloc and realloc made through them (objects, their buffers, frames...)
 * increments one counter. Loaded with ctypes.PyDLL after being built with
 *   gcc -O2 -shared -fPIC $(python3-config --includes) -o alloccount.so alloccount.c
 * Those two domains are used with the GIL held, so a plain counter is enough.
 */
#include <Python.h>

static PyMemAllocatorEx original[2];
static unsigned long long allocations;

static void *counting_malloc(void *ctx, size_t size) {
  allocations++;
  PyMemAllocatorEx *a = ctx;
  return a->malloc(a->ctx, size);
}

static void *counting_calloc(void *ctx, size_t n, size_t size) {
  allocations++;
  PyMemAllocatorEx *a = ctx;
  return a->calloc(a->ctx, n, size);
}

static void *counting_realloc(void *ctx, void *ptr, size_t size) {
  allocations++;
  PyMemAllocatorEx *a = ctx;
  return a->realloc(a->ctx, ptr, size);
}

static void counting_free(void *ctx, void *ptr) {
  PyMemAllocatorEx *a = ctx;
  a->free(a->ctx, ptr);
}

int alloccount_install(void) {
  static int installed;
  if (installed) return 0;
  PyMemAllocatorDomain domains[2] = {PYMEM_DOMAIN_MEM, PYMEM_DOMAIN_OBJ};
  for (int i = 0; i < 2; i++) {
    PyMem_GetAllocator(domains[i], &original[i]);
    PyMemAllocatorEx wrapper = {&original[i], counting_malloc, counting_calloc,
                                counting_realloc, counting_free};
    PyMem_SetAllocator(domains[i], &wrapper);
  }
  installed = 1;
  return 1;
}

unsigned long long alloccount_get(void) { return allocations; }
