#include <sys/types.h>
#include <opendmarc/dmarc.h>
