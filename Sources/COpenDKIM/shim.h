/* libopendkim's one header; it expects the BSD integer names and bool from the includer. */
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <opendkim/dkim.h>
