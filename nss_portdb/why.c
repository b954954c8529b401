/* The "why" buffer (why.h). */
#include <config.h>

#include "why.h"

#include <stdarg.h>
#include <stdio.h>

void why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int why_fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return rc;
}
