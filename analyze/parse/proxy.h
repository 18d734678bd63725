/*
 * proxy.h — the PROXY protocol header (HAProxy, versions 1 and 2) that a
 * load balancer may put at the start of a TCP connection, before the
 * client's own first bytes, to pass on the original client's address.
 *
 * Version 1: one text line, "PROXY " ... CR LF, at most 107 bytes.
 * Version 2: the 12-byte signature 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A,
 * a version/command byte (version 2), a family byte and a 16-bit length of
 * what follows.
 * Pure: reads through a cursor, no allocation, no I/O.
 */
#ifndef ATTRIB_PARSE_PROXY_H
#define ATTRIB_PARSE_PROXY_H

#include <stddef.h>
#include <stdint.h>

#define PROXY_V1_MAX 107

/*
 * Length of the PROXY protocol header that starts the len bytes at p, or
 * 0 when they do not start with one (or end before it does).
 */
size_t proxy_header_len(const uint8_t *p, size_t len);

#endif
