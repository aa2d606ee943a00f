/* Versions of weir and of the libraries it runs on. */
#ifndef WEIR_VERSION_H
#define WEIR_VERSION_H

#include <stdio.h>

/* Print weir's version and its libraries' (built and running) to f. */
void version_print(FILE *f);

#endif
