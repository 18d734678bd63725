/*
 * privilege.c — dropping privileges after the capture handle is open
 * (see privilege.h).
 *
 * Capabilities are read and cleared with the capget/capset system calls
 * (glibc has no wrapper; libcap would add a dependency for two calls).
 * After setresuid() from root to another user the kernel has already
 * emptied the permitted and effective sets; clearing them explicitly also
 * covers the non-root case and the inheritable and ambient sets, and
 * no_new_privs stops any later execve() from gaining privileges (setuid
 * programs, file capabilities), which makes the bounding set moot.
 */
#include "privilege.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { CAP_WORDS = 2 }; /* _LINUX_CAPABILITY_VERSION_3: two 32-bit words */

static int caps_get(struct __user_cap_data_struct data[CAP_WORDS])
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};

	return (int)syscall(SYS_capget, &head, data);
}

static int caps_clear(void)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[CAP_WORDS];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &head, data);
}

bool priv_caps_empty(void)
{
	struct __user_cap_data_struct data[CAP_WORDS];

	if (caps_get(data) != 0)
		return false;
	for (int i = 0; i < CAP_WORDS; i++)
		if (data[i].effective || data[i].permitted)
			return false;
	return true;
}

/* Looks a user up by name, or by number when the name is all digits. */
static struct passwd *find_user(const char *name)
{
	struct passwd *pw = getpwnam(name);
	char *end;
	unsigned long id;

	if (pw || !name[0])
		return pw;
	errno = 0;
	id = strtoul(name, &end, 10);
	if (errno || *end || name[0] == '-' || id > (uid_t)-2)
		return NULL;
	return getpwuid((uid_t)id);
}

int priv_plan(const char *user, struct priv_plan *plan, char *err,
	      size_t errlen)
{
	struct passwd *pw;

	memset(plan, 0, sizeof(*plan));
	if (geteuid() == 0) {
		const char *name = user ? user : "nobody";

		pw = find_user(name);
		if (!pw) {
			snprintf(err, errlen,
				 "user '%s' not found: cannot drop root "
				 "privileges to it (give another with --user)",
				 name);
			return -1;
		}
		if (pw->pw_uid == 0) {
			snprintf(err, errlen,
				 "--user %s is root: refusing to analyse "
				 "traffic as root", name);
			return -1;
		}
		plan->switch_user = true;
	} else {
		pw = getpwuid(geteuid());
		if (user) {
			struct passwd *want = find_user(user);

			if (!want || want->pw_uid != geteuid()) {
				snprintf(err, errlen,
					 "--user %s: switching users needs root "
					 "(attrib runs as uid %u)",
					 user, (unsigned)geteuid());
				return -1;
			}
		}
	}
	plan->uid = pw ? pw->pw_uid : geteuid();
	plan->gid = pw ? pw->pw_gid : getegid();
	snprintf(plan->user, sizeof(plan->user), "%s",
		 pw ? pw->pw_name : "?");
	return 0;
}

/* Becomes plan->uid/gid for good (real, effective and saved ids). */
static int switch_user(const struct priv_plan *plan, char *err,
		       size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (initgroups(plan->user, plan->gid) != 0 &&
	    setgroups(1, &plan->gid) != 0) {
		snprintf(err, errlen, "cannot set the groups of %s: %s",
			 plan->user, strerror(errno));
		return -1;
	}
	if (setresgid(plan->gid, plan->gid, plan->gid) != 0 ||
	    setresuid(plan->uid, plan->uid, plan->uid) != 0) {
		snprintf(err, errlen, "cannot become %s (uid %u): %s",
			 plan->user, (unsigned)plan->uid, strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != plan->uid || eu != plan->uid || su != plan->uid ||
	    rg != plan->gid || eg != plan->gid || sg != plan->gid) {
		snprintf(err, errlen, "the switch to %s did not take",
			 plan->user);
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "root could be regained after switching "
				      "to %s", plan->user);
		return -1;
	}
	return 0;
}

int priv_drop(const struct priv_plan *plan, char *err, size_t errlen)
{
	if (plan->switch_user && switch_user(plan, err, errlen) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s",
			 strerror(errno));
		return -1;
	}
	/* EINVAL: a kernel without ambient capabilities has none to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s",
			 strerror(errno));
		return -1;
	}
	if (caps_clear() != 0) {
		snprintf(err, errlen, "cannot clear capabilities: %s",
			 strerror(errno));
		return -1;
	}
	if (!priv_caps_empty()) {
		snprintf(err, errlen, "capabilities remain after clearing them");
		return -1;
	}
	return 0;
}

/* Copies the value of "Key:\t..." from /proc/self/status text. */
static void status_field(const char *text, const char *key, char *out,
			 size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = text;

	snprintf(out, outlen, "?");
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			p += klen + 1;
			p += strspn(p, " \t");
			size_t n = strcspn(p, "\n");
			snprintf(out, outlen, "%.*s", (int)n, p);
			for (char *t = out; *t; t++)
				if (*t == '\t')
					*t = ' ';
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

void priv_describe(char *out, size_t outlen)
{
	char text[16384], uid[64], gid[64], eff[32], prm[32], nnp[8];
	FILE *f = fopen("/proc/self/status", "r");
	size_t n;

	if (!f) {
		snprintf(out, outlen, "unknown");
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	status_field(text, "Uid", uid, sizeof(uid));
	status_field(text, "Gid", gid, sizeof(gid));
	status_field(text, "CapEff", eff, sizeof(eff));
	status_field(text, "CapPrm", prm, sizeof(prm));
	status_field(text, "NoNewPrivs", nnp, sizeof(nnp));
	snprintf(out, outlen, "Uid: %s; Gid: %s; CapEff: %s; CapPrm: %s; "
		 "NoNewPrivs: %s", uid, gid, eff, prm, nnp);
}
