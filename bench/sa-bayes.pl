#!/usr/bin/perl
# SpamAssassin's Bayes alone, in bulk, for bench/bayes.sh: one process scores every message file
# given (one line each: "PROBABILITY<TAB>PATH", the Bayes plugin's own probability, 0..1).
#   sa-bayes.pl DBPATH FILE...        (DBPATH as sa-learn --dbpath made it)
# Only the Bayes plugin runs: a configuration of one rule that asks for the Bayes score (and the
# installed list of top-level domains, which its tokenizer reads links with).
use strict;
use warnings;
use File::Temp qw(tempdir);
use Mail::SpamAssassin;

my $db = shift or die "usage: sa-bayes.pl DBPATH FILE...\n";
my $cf = tempdir(CLEANUP => 1);
open(my $out, '>', "$cf/bayes.cf") or die "$cf/bayes.cf: $!\n";
print $out <<"CF";
loadplugin Mail::SpamAssassin::Plugin::Check
loadplugin Mail::SpamAssassin::Plugin::Bayes
use_bayes 1
bayes_auto_learn 0
bayes_path $db
bayes_min_ham_num 1
bayes_min_spam_num 1
body BENCH_BAYES eval:check_bayes('0.00', '1.00')
score BENCH_BAYES 0.001
CF
close $out;
# The list of top-level domains (link and address tokens need it), from the installed rules.
for my $tlds ('/usr/share/spamassassin/20_aux_tlds.cf') {
    system('cp', $tlds, $cf) == 0 or die "cp $tlds: $?\n" if -e $tlds;
}
my $sa = Mail::SpamAssassin->new({
    rules_filename => $cf, site_rules_filename => $cf, userprefs_filename => "$cf/none",
    local_tests_only => 1, dont_copy_prefs => 1, home_dir_for_helpers => $cf,
});
$sa->init(1);
for my $file (@ARGV) {
    open(my $in, '<', $file) or die "$file: $!\n";
    my $text = do { local $/; <$in> };
    close $in;
    my $mail = $sa->parse($text);
    my $status = $sa->check($mail);
    my $p = $status->{bayes_score};
    printf "%.6f\t%s\n", defined $p ? $p : 0.5, $file;
    $status->finish;
    $mail->finish;
}
