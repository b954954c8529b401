/* portdb nsswitch: put portdb on the services line of nsswitch.conf, or
 * take it off, atomically and idempotently; or say whether it is there.
 *
 * The line is read as glibc reads it (nss/nss_database.c,
 * nss_action_parse.c): a database name ended by white space or ':', then
 * services, each optionally followed by an action block "[...]"; the
 * last line naming a database is the one glibc uses; '#' starts a
 * comment only at the start of a line.  Enabling makes the line
 * "portdb [NOTFOUND=return]" followed by what was there, less `db`
 * (libnss-db: a stale copy that would answer whenever portdb cannot)
 * and with `files` at the end if it was missing.  The line as it was is
 * kept in a comment just above, so that disabling restores it exactly
 * when nobody has changed the line since. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsswitch_conf.h"
#include "nsswitch_line.h"
#include "portdb.h"

#define NSSWITCH_CONF "/etc/nsswitch.conf"
#define BACKUP_SUFFIX ".portdb-bak"
#define NO_LINE "(no services line)"

/* `status` exit codes beyond the usual ones. */
enum {
	STATUS_ENABLED = 0,
	STATUS_ABSENT = 2,      /* portdb is not on the services line */
	STATUS_DIFFERENT = 3,   /* it is, but not first with [NOTFOUND=return] */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb nsswitch [OPTION]... enable|disable|status\n"
		"Put portdb on the services line of %s, take it off, or\n"
		"say whether it is there.\n"
		"\n"
		"  enable    make the line 'services: portdb [NOTFOUND=return] ...', keeping\n"
		"            the services that were there after it, less 'db', with 'files'\n"
		"  disable   take portdb off the line; the line as it was before 'enable'\n"
		"            comes back if nobody has changed it since\n"
		"  status    print the services line; exit 0 enabled, 2 not, 3 listed\n"
		"            otherwise than first with [NOTFOUND=return]\n"
		"\n"
		"  -f, --file PATH   edit PATH instead of %s\n"
		"  -n, --dry-run     say what would change, change nothing\n"
		"  -q, --quiet       print nothing but errors\n"
		"  -h, --help        show this help\n"
		"\n"
		"A change is written to a new file that is renamed over the old one; the\n"
		"old content is kept in PATH%s.  Running enable or disable twice\n"
		"changes nothing the second time.  Exit status: 0 success, 1 error.\n",
		NSSWITCH_CONF, NSSWITCH_CONF, BACKUP_SUFFIX);
}

/* ------------------------------------------------------------ commands */

enum action { ENABLE, DISABLE, STATUS };

struct ctx {
	const char *path;   /* the file edited (symbolic links resolved) */
	int dry_run, quiet;
};

static void say(const struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* The services line glibc would use in B (the last one), or NULL. */
static const char *last_services_line(const struct ns_buf *b, int *len)
{
	const char *found = NULL;

	for (const char *p = b->p; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), pl;

		if (ns_is_services_line(p, n, &pl)) {
			found = p;
			*len = (int)n;
		}
		p = nl ? nl + 1 : NULL;
	}
	return found;
}

/* Replace the text and publish it, with a backup of the old. */
static int publish(const struct ctx *x, const struct conf *old, int exists, const struct stat *st,
		   const struct ns_buf *b)
{
	char err[PATH_MAX + 256], bak[PATH_MAX];

	if (b->failed) {
		warnx_("nsswitch: out of memory");
		return EXIT_FAILURE_;
	}
	if (x->dry_run)
		return EXIT_OK;
	if (exists) {
		if ((size_t)snprintf(bak, sizeof bak, "%s%s", x->path, BACKUP_SUFFIX) >= sizeof bak ||
		    write_atomic(bak, old->text, old->len, st, err, sizeof err) != 0) {
			warnx_("nsswitch: cannot write the backup, nothing changed: %s", err);
			return EXIT_FAILURE_;
		}
	}
	if (write_atomic(x->path, b->p, b->len, exists ? st : NULL, err, sizeof err) != 0) {
		warnx_("nsswitch: %s", err);
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

static void put_conf_line(struct ns_buf *b, const struct conf_line *l)
{
	ns_put(b, l->p, l->len);
	if (l->newline)
		ns_puts(b, "\n");
}

static int do_enable(const struct ctx *x, struct conf *c, int exists, const struct stat *st)
{
	struct ns_line sl = { 0 };
	struct ns_item *items = NULL;
	struct ns_buf b = { 0 };
	const struct conf_line *l = NULL;
	size_t n;
	int rc;

	if (c->last_services >= 0) {
		l = &c->lines[c->last_services];
		rc = ns_parse_line(l->p, l->len, l->prefixlen, &sl);
		if (rc == EINVAL) {
			warnx_("nsswitch: %s:%ld: an action block without ']': glibc rejects this file; fix it first",
			       x->path, c->last_services + 1);
			rc = EXIT_FAILURE_;
			goto out;
		}
		if (rc != 0)
			goto nomem;
	}
	items = malloc((sl.nitems + 2) * sizeof *items);
	if (items == NULL)
		goto nomem;
	n = ns_enabled_items(sl.items, sl.nitems, items);
	if (l != NULL && ns_same_items(sl.items, sl.nitems, items, n)) {
		say(x, "%s: already enabled: %.*s\n", x->path, (int)l->len, l->p);
		rc = EXIT_OK;
		goto out;
	}
	for (size_t i = 0; i < c->nlines; i++) {
		if ((long)i != c->last_services) {
			put_conf_line(&b, &c->lines[i]);
			continue;
		}
		/* keep the first record of the line as it was before portdb */
		if (c->marker < 0) {
			ns_puts(&b, MARKER);
			ns_put(&b, l->p, l->len);
			ns_puts(&b, "\n");
		}
		ns_put_line(&b, l->p, sl.prefixlen, items, n, sl.tail, sl.taillen);
		if (l->newline)
			ns_puts(&b, "\n");
	}
	if (l == NULL) {
		if (b.len > 0 && b.p[b.len - 1] != '\n')
			ns_puts(&b, "\n");
		if (c->marker < 0)
			ns_puts(&b, MARKER NO_LINE "\n");
		ns_put_line(&b, "services:       ", 16, items, n, "", 0);
		ns_puts(&b, "\n");
	}
	rc = publish(x, c, exists, st, &b);
	if (rc == EXIT_OK) {
		int len = 0;
		const char *nl = last_services_line(&b, &len);

		say(x, "%s: %s: %.*s\n", x->path, x->dry_run ? "would enable" : "enabled", len,
		    nl ? nl : "");
	}
	goto out;
nomem:
	warnx_("nsswitch: out of memory");
	rc = EXIT_FAILURE_;
out:
	free(sl.items);
	free(items);
	free(b.p);
	return rc;
}

static int do_disable(const struct ctx *x, struct conf *c, int exists, const struct stat *st)
{
	struct ns_buf b = { 0 };
	int changed = 0, rc = EXIT_OK;
	const char *orig = NULL;   /* the line recorded by enable */
	size_t origlen = 0;

	if (!exists) {
		say(x, "%s: does not exist: nothing to disable\n", x->path);
		return EXIT_OK;
	}
	if (c->marker >= 0) {
		orig = c->lines[c->marker].p + sizeof MARKER - 1;
		origlen = c->lines[c->marker].len - (sizeof MARKER - 1);
	}
	for (size_t i = 0; i < c->nlines; i++) {
		const struct conf_line *l = &c->lines[i];
		struct ns_line sl, ol = { 0 };
		struct ns_item *items = NULL;
		size_t n, oprefix;
		int has_portdb, restore = 0;

		if (l->marker) {
			changed = 1;   /* the marker goes */
			continue;
		}
		if (!l->services) {
			put_conf_line(&b, l);
			continue;
		}
		rc = ns_parse_line(l->p, l->len, l->prefixlen, &sl);
		if (rc != 0) {
			free(sl.items);
			if (rc == EINVAL) {   /* leave a line we cannot read alone */
				put_conf_line(&b, l);
				rc = EXIT_OK;
				continue;
			}
			warnx_("nsswitch: out of memory");
			free(b.p);
			return EXIT_FAILURE_;
		}
		has_portdb = ns_has_item(sl.items, sl.nitems, "portdb");
		items = malloc((sl.nitems + 2) * sizeof *items);
		if (items == NULL) {
			free(sl.items);
			free(b.p);
			warnx_("nsswitch: out of memory");
			return EXIT_FAILURE_;
		}
		/* The line as enable left it: put back what was there. */
		if ((long)i == c->last_services && orig != NULL) {
			if (origlen == sizeof NO_LINE - 1 && memcmp(orig, NO_LINE, origlen) == 0) {
				n = ns_enabled_items(NULL, 0, items);
				if (ns_same_items(sl.items, sl.nitems, items, n)) {
					changed = 1;
					free(items);
					free(sl.items);
					continue;   /* the line goes */
				}
			} else if (ns_is_services_line(orig, origlen, &oprefix) &&
				   ns_parse_line(orig, origlen, oprefix, &ol) == 0) {
				n = ns_enabled_items(ol.items, ol.nitems, items);
				restore = !ns_has_item(ol.items, ol.nitems, "portdb") &&
					  ns_same_items(sl.items, sl.nitems, items, n);
			}
		}
		if (restore) {
			ns_put(&b, orig, origlen);
			if (l->newline)
				ns_puts(&b, "\n");
			changed = 1;
		} else if (has_portdb) {
			n = ns_disabled_items(sl.items, sl.nitems, items);
			ns_put_line(&b, l->p, sl.prefixlen, items, n, sl.tail, sl.taillen);
			if (l->newline)
				ns_puts(&b, "\n");
			changed = 1;
		} else {
			put_conf_line(&b, l);
		}
		free(ol.items);
		free(sl.items);
		free(items);
	}
	if (!changed) {
		say(x, "%s: portdb is not on the services line: nothing to disable\n", x->path);
		free(b.p);
		return EXIT_OK;
	}
	if (b.p == NULL)
		ns_puts(&b, "");
	rc = publish(x, c, exists, st, &b);
	if (rc == EXIT_OK) {
		int len = 0;
		const char *nl = last_services_line(&b, &len);

		say(x, "%s: %s: %.*s\n", x->path, x->dry_run ? "would disable" : "disabled",
		    nl ? len : (int)sizeof "no services line left (glibc uses files)" - 1,
		    nl ? nl : "no services line left (glibc uses files)");
	}
	free(b.p);
	return rc;
}

/* Can the dynamic linker find the module as glibc will ask for it? */
static void module_status(const struct ctx *x)
{
	void *h = dlopen("libnss_portdb.so.2", RTLD_LAZY | RTLD_LOCAL);
	Dl_info info;
	void *sym;

	if (x->quiet)
		return;
	if (h == NULL) {
		const char *e = dlerror();

		printf("module: libnss_portdb.so.2 not found by the dynamic linker: %s\n",
		       e ? e : "?");
		return;
	}
	sym = dlsym(h, "_nss_portdb_getservbyname_r");
	if (sym != NULL && dladdr(sym, &info) != 0 && info.dli_fname != NULL)
		printf("module: %s\n", info.dli_fname);
	else
		printf("module: libnss_portdb.so.2 lacks _nss_portdb_getservbyname_r\n");
	dlclose(h);
}

static int do_status(const struct ctx *x, struct conf *c, int exists)
{
	struct ns_line sl = { 0 };
	const struct conf_line *l;
	int rc, found, first;

	if (!exists || c->last_services < 0) {
		if (!x->quiet)
			printf("%s: %s: not enabled (glibc uses 'files')\n", x->path,
			       exists ? "no services line" : "does not exist");
		module_status(x);
		return STATUS_ABSENT;
	}
	l = &c->lines[c->last_services];
	rc = ns_parse_line(l->p, l->len, l->prefixlen, &sl);
	if (rc != 0) {
		free(sl.items);
		warnx_("nsswitch: %s:%ld: %s", x->path, c->last_services + 1,
		       rc == EINVAL ? "an action block without ']': glibc rejects this file"
				    : strerror(rc));
		return EXIT_FAILURE_;
	}
	found = ns_has_item(sl.items, sl.nitems, "portdb");
	first = sl.nitems > 0 && ns_item_is(&sl.items[0], "portdb") &&
		ns_act_is(&sl.items[0], NS_PORTDB_ACTION);
	free(sl.items);
	if (!x->quiet)
		printf("%s:%ld: %s: %.*s\n", x->path, c->last_services + 1,
		       first ? "enabled" : found ? "listed, but not first with " NS_PORTDB_ACTION : "not enabled",
		       (int)l->len, l->p);
	module_status(x);
	return first ? STATUS_ENABLED : found ? STATUS_DIFFERENT : STATUS_ABSENT;
}

int cmd_nsswitch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cmd_spec spec = {
		.name = "nsswitch", .common = OPT_QUIET, .shortopts = "f:n", .longopts = opts,
		.min_args = 1, .max_args = 1, .args_name = "action (enable, disable or status)",
		.usage = usage, .usage_status = EXIT_FAILURE_,
	};
	static const char *const actions[] = { [ENABLE] = "enable", [DISABLE] = "disable",
					       [STATUS] = "status" };
	const char *file = NSSWITCH_CONF;
	char resolved[PATH_MAX], err[PATH_MAX + 256], shown[256];
	struct cmd_line cl = { 0 };
	struct ctx x = { 0 };
	struct conf c;
	struct stat st, lst;
	enum action act;
	int ch, rc, exists;

	while ((ch = cmd_option(&spec, &cl, argc, argv)) > 0) {
		if (ch == 'f')
			file = optarg;
		else
			x.dry_run = 1;   /* -n */
	}
	if (ch < 0)
		return cl.status;
	x.quiet = cl.quiet;
	for (act = ENABLE; act <= STATUS; act++)
		if (strcmp(cl.args[0], actions[act]) == 0)
			break;
	if (act > STATUS) {
		show_bytes(shown, sizeof shown, cl.args[0], 100);
		return usage_error(&spec, "unknown action '%s' (enable, disable, status)", shown);
	}
	/* Edit the file a symbolic link points to, not the link. */
	x.path = file;
	if (lstat(file, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		if (realpath(file, resolved) == NULL) {
			warnx_("nsswitch: %s: %s", file, strerror(errno));
			return EXIT_FAILURE_;
		}
		x.path = resolved;
	}
	rc = read_conf(x.path, &c, &st, &exists, err, sizeof err);
	if (rc != 0) {
		warnx_("nsswitch: %s", rc == ENOMEM ? "out of memory" : err);
		free(c.text);
		free(c.lines);
		return EXIT_FAILURE_;
	}
	switch (act) {
	case ENABLE:
		rc = do_enable(&x, &c, exists, &st);
		break;
	case DISABLE:
		rc = do_disable(&x, &c, exists, &st);
		break;
	default:
		rc = do_status(&x, &c, exists);
		break;
	}
	free(c.text);
	free(c.lines);
	return rc;
}
