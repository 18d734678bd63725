/*
 * test_privilege.c — cmocka tests of the privilege drop used by live
 * capture: which plans are refused, and (as root, in a child process) that
 * after priv_drop() the kernel reports no capability, the unprivileged
 * user in all ids, no_new_privs, and that root cannot be regained.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/privilege.h"

static void test_plans(void **state)
{
	struct priv_plan plan;
	char err[256];

	assert_int_equal(priv_plan("no-such-user-attrib", &plan, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "no-such-user-attrib"));
	if (geteuid() != 0) {
		assert_int_equal(priv_plan(NULL, &plan, err, sizeof(err)), 0);
		assert_false(plan.switch_user);
		assert_int_equal(plan.uid, geteuid());
		assert_int_equal(priv_plan("root", &plan, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "needs root"));
		return;
	}
	assert_int_equal(priv_plan("root", &plan, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refusing to analyse traffic as root"));
	assert_int_equal(priv_plan("0", &plan, err, sizeof(err)), -1);
	if (!getpwnam("nobody"))
		skip();
	assert_int_equal(priv_plan(NULL, &plan, err, sizeof(err)), 0);
	assert_true(plan.switch_user);
	assert_string_equal(plan.user, "nobody");
	assert_int_equal(plan.uid, getpwnam("nobody")->pw_uid);
}

/* Child side of test_drop: exit status 0 when every check holds, else the
 * number of the first that failed. */
static int drop_in_child(void)
{
	struct priv_plan plan;
	char err[256], text[512];

	if (priv_plan(NULL, &plan, err, sizeof(err)) != 0)
		return 1;
	if (priv_drop(&plan, err, sizeof(err)) != 0)
		return 2;
	if (!priv_caps_empty())
		return 3;
	if (getuid() != plan.uid || geteuid() != plan.uid ||
	    getgid() != plan.gid || getegid() != plan.gid)
		return 4;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 5;
	priv_describe(text, sizeof(text));
	if (!strstr(text, "CapEff: 0000000000000000") ||
	    !strstr(text, "CapPrm: 0000000000000000") ||
	    !strstr(text, "NoNewPrivs: 1"))
		return 6;
	return 0;
}

static void test_drop(void **state)
{
	int status;
	pid_t pid;

	if (geteuid() != 0 || !getpwnam("nobody"))
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(drop_in_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
