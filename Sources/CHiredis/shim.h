/* hiredis (Debian libhiredis-dev): the Redis client for the shared store. */
#include <hiredis/hiredis.h>
