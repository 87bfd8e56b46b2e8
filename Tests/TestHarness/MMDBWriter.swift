import Foundation

/// Builds a small MaxMind-format country database with Debian's MaxMind::DB::Writer (Perl).
public enum MMDBWriter {
    /// `networks`: CIDR → ISO country code.
    public static func write(_ path: String, networks: [String: String]) throws {
        let inserts = networks.sorted { $0.key < $1.key }
            .map { "$tree->insert_network('\($0.key)', { country => { iso_code => '\($0.value)' } });" }
            .joined(separator: "\n")
        let script = """
        use strict; use warnings;
        use MaxMind::DB::Writer::Tree;
        my %types = (country => 'map', iso_code => 'utf8_string');
        my $tree = MaxMind::DB::Writer::Tree->new(
            ip_version => 6, record_size => 24, database_type => 'QSentry-Test-Country',
            languages => ['en'], description => { en => 'qsentry test countries' },
            map_key_type_callback => sub { $types{ $_[0] } },
            remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1);
        \(inserts)
        open my $fh, '>:raw', $ARGV[0] or die "open: $!";
        $tree->write_tree($fh);
        close $fh or die "close: $!";
        """
        let r = try Run.command("perl", ["-e", script, path])
        guard r.status == 0 else { throw HarnessError.startFailed("MaxMind::DB::Writer: \(r.output)") }
    }
}
