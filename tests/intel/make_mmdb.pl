#!/usr/bin/perl
# make_mmdb.pl — writes a small MaxMind DB for the enrichment tests with
# Debian's libmaxmind-db-writer-perl:
#
#   perl tests/intel/make_mmdb.pl OUT.mmdb asn     CIDR=ASN:ORG ...
#   perl tests/intel/make_mmdb.pl OUT.mmdb country CIDR=CC ...
#
# The asn database has GeoLite2-ASN's fields (autonomous_system_number,
# autonomous_system_organization), the country one GeoLite2-Country's
# (country.iso_code). Private and documentation ranges are kept (the
# writer removes reserved networks unless told not to).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($out, $kind, @entries) = @ARGV;
die "usage: $0 OUT.mmdb asn|country CIDR=VALUE...\n"
    unless $out && $kind && ($kind eq 'asn' || $kind eq 'country');
my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    country                        => 'map',
    iso_code                       => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => $kind eq 'asn' ? 'attrib-test-ASN'
                                               : 'attrib-test-Country',
    languages                => ['en'],
    description              => { en => 'attrib test database' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,
);
for my $e (@entries) {
    my ($net, $value) = split /=/, $e, 2;
    $net .= ($net =~ /:/ ? '/128' : '/32') unless $net =~ m{/};
    if ($kind eq 'asn') {
        my ($asn, $org) = split /:/, $value, 2;
        $tree->insert_network($net, {
            autonomous_system_number       => $asn + 0,
            autonomous_system_organization => $org,
        });
    } else {
        $tree->insert_network($net, { country => { iso_code => $value } });
    }
}
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
