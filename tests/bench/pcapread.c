/*
 * pcapread.c — the raw libpcap baseline for `make bench`: reads every
 * packet of a capture with pcap_next_ex and does nothing else.
 */
#include <pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: pcapread FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcapread: %s\n", err);
		return 2;
	}
	struct pcap_pkthdr *h;
	const unsigned char *data;
	unsigned long long packets = 0, bytes = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		(void)data;
	}
	pcap_close(p);
	printf("%llu packets, %llu bytes\n", packets, bytes);
	return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
