/*
 * record.c — reading one packet record back from a capture file at a
 * stored byte offset (source.h: capture_read_packet), for verification.
 * Independent of libpcap: it parses the record header itself, through the
 * cursor, so it is a second reading of the file's format.
 */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "source.h"

enum {
	PCAP_FILE_HEADER_LEN = 24,
	PCAP_RECORD_HEADER_LEN = 16,
	PCAPNG_EPB = 6,
	PCAPNG_SPB = 3,
	PCAPNG_PB = 2,
	PCAPNG_EPB_DATA = 28,
	PCAPNG_SPB_DATA = 12,
};

static int read_at(FILE *f, uint64_t off, void *buf, size_t n)
{
	if (fseeko(f, (off_t)off, SEEK_SET) != 0)
		return -1;
	return fread(buf, 1, n, f) == n ? 0 : -1;
}

/*
 * The bytes a pcap record holds, from its two length fields, as libpcap
 * reads them: files of format 2.0 to 2.2 were written with the captured
 * and the wire length in each other's place, and files of 2.3 may have
 * been, which shows where the "captured" length is the larger one.
 * ver: the file header's version fields (major, minor; 2 bytes each).
 */
static uint32_t pcap_stored_length(const uint8_t ver[4], bool big,
				   uint32_t caplen, uint32_t len)
{
	struct cursor c;
	uint16_t major = 0, minor = 0;
	cursor_init(&c, ver, 4);
	if (big) {
		cursor_be16(&c, &major);
		cursor_be16(&c, &minor);
	} else {
		cursor_le16(&c, &major);
		cursor_le16(&c, &minor);
	}
	if (major == 2 && (minor < 3 || (minor == 3 && caplen > len)))
		return len;
	return caplen;
}

int capture_read_packet(FILE *f, uint64_t offset, uint32_t caplen,
			uint8_t *buf, char *err, size_t errlen)
{
	uint8_t magic[4], hdr[PCAPNG_EPB_DATA];
	if (read_at(f, 0, magic, sizeof magic) != 0) {
		snprintf(err, errlen, "cannot read the file header");
		return -1;
	}
	uint32_t m = cursor_load32(magic, true);
	uint64_t data_at;
	uint32_t stored;
	if (m == 0x0a0d0d0au) {
		if (read_at(f, offset, hdr, sizeof hdr) != 0 &&
		    read_at(f, offset, hdr, PCAPNG_SPB_DATA) != 0) {
			snprintf(err, errlen, "offset %llu is past the end",
				 (unsigned long long)offset);
			return -1;
		}
		/* Block types are small: whichever byte order reads one of
		 * ours is the section's order. */
		bool big = cursor_load32(hdr, true) < 256;
		uint32_t type = cursor_load32(hdr, big);
		if (type == PCAPNG_EPB || type == PCAPNG_PB) {
			stored = cursor_load32(hdr + 20, big);
			data_at = offset + PCAPNG_EPB_DATA;
		} else if (type == PCAPNG_SPB) {
			stored = caplen; /* an SPB stores only the wire length */
			data_at = offset + PCAPNG_SPB_DATA;
		} else {
			snprintf(err, errlen,
				 "no packet block at offset %llu (block type %u)",
				 (unsigned long long)offset, type);
			return -1;
		}
	} else if (m == 0xa1b2c3d4u || m == 0xa1b23c4du || m == 0xd4c3b2a1u ||
		   m == 0x4d3cb2a1u) {
		bool big = m == 0xa1b2c3d4u || m == 0xa1b23c4du;
		if (offset < PCAP_FILE_HEADER_LEN ||
		    read_at(f, offset, hdr, PCAP_RECORD_HEADER_LEN) != 0) {
			snprintf(err, errlen, "no record at offset %llu",
				 (unsigned long long)offset);
			return -1;
		}
		stored = cursor_load32(hdr + 8, big);
		uint8_t ver[4];
		if (read_at(f, 4, ver, sizeof ver) != 0) {
			snprintf(err, errlen, "cannot read the file header");
			return -1;
		}
		stored = pcap_stored_length(ver, big, stored, cursor_load32(hdr + 12, big));
		data_at = offset + PCAP_RECORD_HEADER_LEN;
	} else {
		snprintf(err, errlen, "not a pcap or pcapng file");
		return -1;
	}
	if (stored != caplen) {
		snprintf(err, errlen,
			 "the record at offset %llu holds %u bytes, not %u",
			 (unsigned long long)offset, stored, caplen);
		return -1;
	}
	if (read_at(f, data_at, buf, caplen) != 0) {
		snprintf(err, errlen, "packet bytes at offset %llu cut short",
			 (unsigned long long)offset);
		return -1;
	}
	return 0;
}
