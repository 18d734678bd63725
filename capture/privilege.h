/*
 * privilege.h — giving up the privileges that opening a capture needed,
 * before any captured byte is analysed.
 *
 * As root: switch to an unprivileged user (all three user and group ids,
 * that user's groups), then forbid regaining privileges (no_new_privs)
 * and clear every capability set. As another user who holds capabilities
 * (e.g. CAP_NET_RAW given to the program): keep the user, clear the
 * capabilities, set no_new_privs. Either way the result is checked, and a
 * failure is an error: the caller must not go on with privileges.
 */
#ifndef ATTRIB_PRIVILEGE_H
#define ATTRIB_PRIVILEGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What priv_drop() will do. */
struct priv_plan {
	bool switch_user;  /* running as root: become uid/gid */
	uid_t uid;
	gid_t gid;
	char user[64];     /* the user's name */
};

/*
 * Decides the drop: as root, to user (NULL: "nobody"), which must exist
 * and must not be root; otherwise user must be NULL or the current user.
 * Returns 0, or -1 with a one-line message in err.
 */
int priv_plan(const char *user, struct priv_plan *plan, char *err,
	      size_t errlen);

/* Carries out the plan and checks it. Returns 0, or -1 with a one-line
 * message in err. */
int priv_drop(const struct priv_plan *plan, char *err, size_t errlen);

/*
 * Describes the process's privileges now, from the kernel's view
 * (/proc/self/status), with the names used there:
 * "Uid: R E S F; Gid: R E S F; CapEff: HEX; CapPrm: HEX; NoNewPrivs: N".
 * Writes "unknown" when that cannot be read.
 */
void priv_describe(char *out, size_t outlen);

/* True when the effective and permitted capability sets are empty. */
bool priv_caps_empty(void);

#endif
