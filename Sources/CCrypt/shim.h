// libxcrypt (Debian's libcrypt-dev): crypt_r and crypt_gensalt_rn, yescrypt by default.
#include <crypt.h>
