#include "config.h"

#include "version.h"

#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

void
version_print(FILE *f)
{
	fprintf(f, "weir %s\n", PACKAGE_VERSION);
	fprintf(f, "libevent %s (built with %s)\n", event_get_version(),
	    LIBEVENT_VERSION);
	fprintf(f, "%s (built with %s)\n", OpenSSL_version(OPENSSL_VERSION),
	    OPENSSL_VERSION_TEXT);
}
