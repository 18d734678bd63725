/*
 * lex.c — the tokenizer of the STIX pattern reader (pattern_internal.h).
 *
 * Every byte is read through the parser's cursor (pos < len checked
 * before each read, peek_byte() returns 0 past the end). String literals
 * accept only the escapes \' and \\; typed literals (t'', b'', h'') are
 * checked against their alphabets; numbers are at most 63 characters.
 * Decoded texts go to the arena, which is sized so that it cannot run out
 * (a token never decodes longer than its source bytes).
 */
#include "analyze/intel/stix/pattern_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int pattern_fail(struct parser *ps, const char *why, size_t at)
{
	if (!ps->error) {
		ps->error = why;
		ps->error_at = at;
	}
	return -1;
}

int pattern_fail_oom(struct parser *ps)
{
	ps->oom = true;
	return pattern_fail(ps, "out of memory", ps->pos);
}

bool lex_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The byte at pos + k, or 0 past the end. */
static char peek_byte(const struct parser *ps, size_t k)
{
	return k < ps->len - ps->pos ? ps->s[ps->pos + k] : '\0';
}

/* Skips white space and comments; -1 on an unterminated comment. */
static int skip_blank(struct parser *ps)
{
	while (ps->pos < ps->len) {
		char c = ps->s[ps->pos];
		if (lex_is_space(c)) {
			ps->pos++;
		} else if (c == '/' && peek_byte(ps, 1) == '*') {
			size_t at = ps->pos;
			ps->pos += 2;
			for (;;) {
				if (ps->pos >= ps->len)
					return pattern_fail(
						ps, "unterminated comment", at);
				if (ps->s[ps->pos] == '*' &&
				    peek_byte(ps, 1) == '/') {
					ps->pos += 2;
					break;
				}
				ps->pos++;
			}
		} else if (c == '/' && peek_byte(ps, 1) == '/') {
			while (ps->pos < ps->len && ps->s[ps->pos] != '\n')
				ps->pos++;
		} else {
			break;
		}
	}
	return 0;
}

/* Copies n source bytes into the arena as a NUL-terminated text. */
static const char *arena_copy(struct parser *ps, const char *src, size_t n)
{
	struct stix_pattern_mem *m = ps->m;
	if (n >= m->arena_cap - m->arena_used)
		return NULL; /* cannot happen: the arena is sized for it */
	char *d = m->arena + m->arena_used;
	memcpy(d, src, n);
	d[n] = '\0';
	m->arena_used += n + 1;
	return d;
}

/* Reads a quoted literal whose opening quote is at pos: only \' and \\
 * are escapes. The decoded text goes to the arena. */
static int lex_quoted(struct parser *ps, struct token *t)
{
	struct stix_pattern_mem *m = ps->m;
	size_t at = ps->pos;
	char *d = m->arena + m->arena_used;
	size_t n = 0;
	ps->pos++;
	for (;;) {
		if (ps->pos >= ps->len)
			return pattern_fail(ps, "unterminated string", at);
		char c = ps->s[ps->pos];
		if (c == '\'') {
			ps->pos++;
			break;
		}
		if (c == '\\') {
			char e = peek_byte(ps, 1);
			if (ps->pos + 1 >= ps->len || (e != '\'' && e != '\\'))
				return pattern_fail(
					ps,
					"invalid escape in a string "
					"(only \\' and \\\\)",
					ps->pos);
			c = e;
			ps->pos++;
		}
		ps->pos++;
		if (m->arena_used + n + 1 >= m->arena_cap)
			return pattern_fail(ps, "string too long", at);
		d[n++] = c;
	}
	d[n] = '\0';
	m->arena_used += n + 1;
	t->text = d;
	t->len = n;
	return 0;
}

/* Checks that a typed literal's text uses only the given characters. */
static bool only_chars(const char *s, const char *allowed)
{
	return s[strspn(s, allowed)] == '\0';
}

static int lex_number(struct parser *ps, struct token *t)
{
	size_t at = ps->pos, i = at;
	bool dot = false, digits = false;
	char buf[64];
	if (ps->s[i] == '+' || ps->s[i] == '-')
		i++;
	for (; i < ps->len; i++) {
		if (is_digit(ps->s[i]))
			digits = true;
		else if (ps->s[i] == '.' && !dot)
			dot = true;
		else
			break;
	}
	if (!digits || ps->s[i - 1] == '.')
		return pattern_fail(ps, "malformed number", at);
	if (i - at >= sizeof buf)
		return pattern_fail(ps, "number longer than 63 characters", at);
	memcpy(buf, ps->s + at, i - at);
	buf[i - at] = '\0';
	t->num = strtod(buf, NULL);
	if (!isfinite(t->num))
		return pattern_fail(ps, "number out of range", at);
	t->type = dot ? T_FLOAT : T_INT;
	t->text = "";
	ps->pos = i;
	return 0;
}

static int lex(struct parser *ps, struct token *t)
{
	static const struct {
		char c;
		enum tok_type type;
	} single[] = {
		{'[', T_LBRACK}, {']', T_RBRACK}, {'(', T_LPAREN},
		{')', T_RPAREN}, {':', T_COLON},  {',', T_COMMA},
		{'*', T_STAR},
	};
	memset(t, 0, sizeof *t);
	t->text = "";
	if (skip_blank(ps) != 0)
		return -1;
	t->start = ps->pos;
	if (ps->pos >= ps->len) {
		t->type = T_END;
		t->end = ps->pos;
		return 0;
	}
	char c = ps->s[ps->pos], c1 = peek_byte(ps, 1), c2 = peek_byte(ps, 2);
	int rc = 0;
	for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
		if (c == single[i].c) {
			t->type = single[i].type;
			ps->pos++;
			goto done;
		}
	if (c == '=') {
		t->type = T_EQ;
		ps->pos += c1 == '=' ? 2 : 1;
	} else if (c == '!' && c1 == '=') {
		t->type = T_NEQ;
		ps->pos += 2;
	} else if (c == '<') {
		t->type = c1 == '=' ? T_LE : c1 == '>' ? T_NEQ : T_LT;
		ps->pos += c1 == '=' || c1 == '>' ? 2 : 1;
	} else if (c == '>') {
		t->type = c1 == '=' ? T_GE : T_GT;
		ps->pos += c1 == '=' ? 2 : 1;
	} else if (c == '\'') {
		t->type = T_STRING;
		rc = lex_quoted(ps, t);
	} else if ((c == 't' || c == 'b' || c == 'h') && c1 == '\'') {
		static const char *const allowed[] = {
			"0123456789-:.TZ",
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789+/=",
			"0123456789abcdefABCDEF",
		};
		int which = c == 't' ? 0 : c == 'b' ? 1 : 2;
		size_t at = ps->pos;
		t->type = c == 't' ? T_TIMESTAMP : c == 'b' ? T_BINARY : T_HEX;
		ps->pos++;
		rc = lex_quoted(ps, t);
		if (rc == 0 && (!only_chars(t->text, allowed[which]) ||
				t->len == 0 ||
				(t->type == T_HEX && t->len % 2)))
			rc = pattern_fail(
				ps,
				c == 't'   ? "malformed timestamp literal"
				: c == 'b' ? "malformed binary literal"
					   : "malformed hex literal",
				at);
	} else if (is_ident_start(c)) {
		size_t at = ps->pos;
		while (ps->pos < ps->len && is_ident_char(ps->s[ps->pos]))
			ps->pos++;
		t->type = T_IDENT;
		t->len = ps->pos - at;
		t->text = arena_copy(ps, ps->s + at, t->len);
		if (!t->text)
			rc = pattern_fail(ps, "identifier too long", at);
	} else if (is_digit(c) || (c == '.' && is_digit(c1)) ||
		   ((c == '+' || c == '-') &&
		    (is_digit(c1) || (c1 == '.' && is_digit(c2))))) {
		rc = lex_number(ps, t);
	} else if (c == '.') {
		t->type = T_DOT;
		ps->pos++;
	} else {
		rc = pattern_fail(ps, "unexpected character", ps->pos);
	}
done:
	t->end = ps->pos;
	return rc;
}

/* The current token (read on first use). */
const struct token *lex_cur(struct parser *ps)
{
	if (!ps->have_tok) {
		if (lex(ps, &ps->tok) != 0) {
			/* stop here: the caller sees T_END and the error */
			ps->tok.type = T_END;
			ps->tok.start = ps->tok.end = ps->pos;
		}
		ps->have_tok = true;
	}
	return &ps->tok;
}

void lex_advance(struct parser *ps)
{
	(void)lex_cur(ps);
	ps->have_tok = false;
}

bool lex_at(struct parser *ps, enum tok_type type)
{
	return lex_cur(ps)->type == type;
}

bool lex_at_keyword(struct parser *ps, const char *kw)
{
	const struct token *t = lex_cur(ps);
	return t->type == T_IDENT && !strcmp(t->text, kw);
}

int lex_expect(struct parser *ps, enum tok_type type, const char *why)
{
	if (!lex_at(ps, type))
		return pattern_fail(ps, why, lex_cur(ps)->start);
	lex_advance(ps);
	return 0;
}

