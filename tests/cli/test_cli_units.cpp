// Unit tests of the command line's pieces: argument parsing, step selection,
// progress lines, parameter digests, exit codes.

#include "hello_io.hpp"

#include "cli_test_steps.hpp"

#include "cli/arguments.hpp"  // the library's private headers (src/cli)
#include "cli/exit_codes.hpp"
#include "cli/ledger.hpp"
#include "cli/progress.hpp"
#include "cli/selection.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using orrery::ParamNode;
using namespace orrery::cli;

namespace {
Invocation parse(std::vector<std::string> args, Mode mode = Mode::strun) { return parse_invocation(args, mode); }
}  // namespace

TEST_CASE("arguments: positionals, framework flags and parameters in any order", "[cli][args]") {
    const auto inv = parse({"--debug", "textproc", "--steps.repeat.count=3", "in.txt", "--shout", "yes", "--save-parameters", "p.asdf",
                            "-v", "more.txt", "--log-level=ERROR", "--xoffset", "-1.5", "--ref-dir", "refs"});
    CHECK(inv.positionals == std::vector<std::string>{"textproc", "in.txt", "more.txt"});
    CHECK(inv.options.debug);
    CHECK(inv.options.verbose);
    CHECK(inv.options.save_parameters == "p.asdf");
    CHECK(inv.options.log_level == "ERROR");
    CHECK(inv.options.ref_dir == "refs");
    CHECK(inv.parameters.to_string() == "{steps: {repeat: {count: 3}}, shout: yes, xoffset: -1.5}");
    CHECK(inv.parameters.find_path("steps.repeat.count")->source() == "--steps.repeat.count");
    CHECK(inv.parameters.find("shout")->source() == "--shout");
    CHECK_FALSE(inv.parameters.find("shout")->quoted());
}

TEST_CASE("arguments: '--' ends the options; negative numbers are positionals/values", "[cli][args]") {
    const auto inv = parse({"repeat", "--", "--weird-file.txt", "-3"});
    CHECK(inv.positionals == std::vector<std::string>{"repeat", "--weird-file.txt", "-3"});
    const auto later = parse({"repeat", "in.txt", "--count", "2", "--count=5"});  // the last one wins
    CHECK(later.parameters.find("count")->text() == "5");
}

TEST_CASE("arguments: run-only options", "[cli][args]") {
    const auto inv = parse({"textproc", "in", "--only", "a,b", "--only=c", "--skip", "d", "--from=a", "--to", "c", "--dry-run",
                            "--continue-on-error", "--ledger", "L"},
                           Mode::run);
    CHECK(inv.options.only == std::vector<std::string>{"a", "b", "c"});
    CHECK(inv.options.skip == std::vector<std::string>{"d"});
    CHECK(inv.options.from == "a");
    CHECK(inv.options.to == "c");
    CHECK(inv.options.dry_run);
    CHECK(inv.options.continue_on_error);
    CHECK(inv.options.ledger == "L");
    // In strun, --skip is the step's own parameter (stpipe), and the run options are refused.
    CHECK(parse({"repeat", "in", "--skip=True"}).parameters.find("skip")->text() == "True");
    CHECK_THROWS_WITH(parse({"x", "--dry-run"}), Catch::Matchers::Contains("--dry-run is an option of 'orrery run'"));
}

TEST_CASE("arguments: usage errors", "[cli][args][errors]") {
    CHECK_THROWS_AS(parse({"x", "--count"}), orrery::UsageError);
    CHECK_THROWS_WITH(parse({"x", "--count", "--other=1"}), "parameter option --count needs a value (--count=VALUE)");
    CHECK_THROWS_WITH(parse({"x", "-q"}), "unknown option '-q' (parameters are written --name=value)");
    CHECK_THROWS_WITH(parse({"x", "--a..b=1"}), Catch::Matchers::Contains("is not a valid parameter option"));
    CHECK_THROWS_WITH(parse({"x", "--version=2"}), "option --version takes no value (got '2')");
    CHECK_THROWS_WITH(parse({"x", "--ledger"}), "option --ledger needs a value (--ledger=VALUE)");
}

TEST_CASE("arguments: flags shortened to a unique prefix, as argparse allows", "[cli][args]") {
    const auto inv = parse({"x", "in", "--verb", "--save-param=p.asdf", "--no-prog", "--ref", "refs"});
    CHECK(inv.options.verbose);
    CHECK(inv.options.save_parameters == "p.asdf");
    CHECK(inv.options.no_progress);
    CHECK(inv.options.ref_dir == "refs");
    CHECK(inv.positionals == std::vector<std::string>{"x", "in"});
    CHECK_THROWS_WITH(parse({"x", "--lo=1"}), "ambiguous option: --lo could match --log-level, --log-file, --log-stream, --logcfg");
    CHECK_THROWS_AS(parse({"x", "--d"}), ArgumentSyntaxError);  // --debug, --disable-crds-steppars
    // Run-only flags are not candidates in strun: --dry is then a parameter needing a value.
    CHECK(parse({"x", "--dry"}, Mode::run).options.dry_run);
    CHECK_THROWS_WITH(parse({"x", "--dry"}), "parameter option --dry needs a value (--dry=VALUE)");
}

TEST_CASE("arguments: values read as configobj reads them", "[cli][args]") {
    const auto inv = parse({"x", "--q_a='quoted value'", "--q_b=\"N/A\"", "--q_c=1500,", "--q_d=1, 2,3", "--q_e=,", "--q_f=plain # comment", "--q_g="});
    const auto& p = inv.parameters;
    CHECK(p.find("q_a")->text() == "quoted value");
    CHECK(p.find("q_a")->quoted());
    CHECK(p.find("q_b")->text() == "N/A");
    REQUIRE(p.find("q_c")->is_list());
    CHECK(p.find("q_c")->items().size() == 1);
    REQUIRE(p.find("q_d")->is_list());
    CHECK(p.find("q_d")->items().size() == 3);
    CHECK(p.find("q_d")->items()[2].text() == "3");
    REQUIRE(p.find("q_e")->is_list());
    CHECK(p.find("q_e")->items().empty());
    CHECK(p.find("q_f")->text() == "plain");
    CHECK(p.find("q_g")->text().empty());
    CHECK_THROWS_WITH(parse({"x", "--q_h='open"}), "--q_h: malformed value ''open': unterminated quoted value");
}

TEST_CASE("arguments: parameter options shortened to a unique prefix of the step's options", "[cli][args]") {
    ParamNode tree = ParamNode::map();
    tree.set_path("rejection_threshold", ParamNode::scalar("4.0"));
    tree.set_path("save_results", ParamNode::scalar("False"));
    tree.set_path("save_calibrated_ramp", ParamNode::scalar("False"));
    tree.set_path("steps.jump.after_jump_flag_dn1", ParamNode::scalar("0"));
    tree.set_path("steps.jump.after_jump_flag_dn2", ParamNode::scalar("0"));
    tree.set_path("steps.jump.maximum_cores", ParamNode::scalar("1"));

    auto inv = parse({"x", "--rej=5", "--steps.jump.max", "all", "--save_results=True"});
    resolve_abbreviations(inv, tree);
    CHECK(inv.parameters.to_string() == "{rejection_threshold: 5, steps: {jump: {maximum_cores: all}}, save_results: True}");
    CHECK(inv.parameters.find("rejection_threshold")->source() == "--rej");

    auto ambiguous = parse({"x", "--steps.jump.after=1"});
    CHECK_THROWS_WITH(resolve_abbreviations(ambiguous, tree),
                      "ambiguous option: --steps.jump.after could match --steps.jump.after_jump_flag_dn1, --steps.jump.after_jump_flag_dn2");
    auto unknown = parse({"x", "--nothing=1"});  // left for configuration to report with suggestions
    resolve_abbreviations(unknown, tree);
    CHECK(unknown.parameters.find("nothing"));
    // A flag matched by prefix while parsing must not also be the prefix of a parameter.
    ParamNode with_verb = ParamNode::map();
    with_verb.set_path("verbatim", ParamNode::scalar("False"));
    auto verb = parse({"x", "--verb"});
    CHECK_THROWS_WITH(resolve_abbreviations(verb, with_verb), "ambiguous option: --verb could match --verbose, --verbatim");
}

TEST_CASE("selection resolves to per-step skip values with the flag as source", "[cli][selection]") {
    orrery::Context ctx;
    auto step = orrery::Registry::instance().create("textproc");
    Options o;
    CHECK(resolve_selection(*step, o, ctx).is_null());
    o.from = "check";
    o.to = "stamp";
    const ParamNode t = resolve_selection(*step, o, ctx);
    CHECK(t.to_string() == "{steps: {repeat: {skip: True}, upper: {skip: True}}}");
    CHECK(t.find_path("steps.repeat.skip")->source() == "--from");
    CHECK(t.find_path("steps.upper.skip")->source() == "--to");
    Options only;
    only.only = {"upper"};
    CHECK(resolve_selection(*step, only, ctx).to_string() ==
          "{steps: {repeat: {skip: True}, check: {skip: True}, stamp: {skip: True}, upper: {skip: False}}}");
}

TEST_CASE("progress lines: terminal and plain forms", "[cli][progress]") {
    orrery::StepEvent e;
    e.kind = orrery::StepEvent::Kind::finish;
    e.alias = "dark_current";
    e.index = 7;
    e.total = 15;
    e.seconds = 0.2134;
    e.status = orrery::StepStatus::complete;
    std::ostringstream tty, plain;
    ProgressObserver a(tty, true), b(plain, false);
    a.on_event(e);
    b.on_event(e);
    CHECK(tty.str() == "\u25B6 [7/15] dark_current \u2026 done in 0.21 s\n");
    CHECK(plain.str() == "> [7/15] dark_current ... done in 0.21 s\n");
    e.kind = orrery::StepEvent::Kind::skip;
    e.alias = "persistence";
    e.index = 8;
    e.message = "skip=True";
    b.on_event(e);
    CHECK(plain.str().substr(plain.str().rfind('>')) == "> [8/15] persistence ... skipped\n");
    b.summary("calwebb_detector1 on x.fits", 4.314, true);
    CHECK(plain.str().substr(plain.str().rfind("OK")) == "OK calwebb_detector1 on x.fits: 2 steps (1 done, 1 skipped) in 4.31 s\n");
    a.summary("x", 1.0, false, "input file x: no such file");
    CHECK(tty.str().substr(tty.str().rfind("\u2718")) == "\u2718 x: failed: input file x: no such file\n");
}

TEST_CASE("graph stages in progress lines and the ledger: their ids, retries, attempts and output counts", "[cli][progress][ledger]") {
    orrery::StepEvent e;
    e.kind = orrery::StepEvent::Kind::retry;
    e.stage = "download";
    e.alias = "fetch_documents";
    e.pipeline = "ingest";
    e.attempt = 1;
    e.message = "connection reset";
    e.retry_delay_seconds = 0.2;
    std::ostringstream plain;
    ProgressObserver progress(plain, false);
    progress.on_event(e);
    const orrery::test::TempDir dir("cli_graph_ledger");
    RunLedger ledger(dir.path(), "run1");
    ledger.on_event(e);
    e.kind = orrery::StepEvent::Kind::finish;
    e.attempt = 2;
    e.output_count = 12;
    e.seconds = 0.5;
    e.status = orrery::StepStatus::complete;
    progress.on_event(e);
    ledger.on_event(e);
    CHECK(plain.str() == "> download ... attempt 1 failed (connection reset); retrying in 0.20 s\n"
                         "> download ... done in 0.50 s after 2 attempts\n");
    std::ifstream in(ledger.path());
    std::string retry_line, finish_line;
    std::getline(in, retry_line);
    std::getline(in, finish_line);
    const auto retry = nlohmann::json::parse(retry_line), finish = nlohmann::json::parse(finish_line);
    CHECK(retry["record"] == "retry");
    CHECK(retry["stage"] == "download");
    CHECK(retry["attempt"] == 1);
    CHECK(retry["delay_s"] == 0.2);
    CHECK(retry["error"] == "connection reset");
    CHECK(finish["record"] == "step");
    CHECK(finish["stage"] == "download");
    CHECK(finish["step"] == "fetch_documents");
    CHECK(finish["attempts"] == 2);
    CHECK(finish["output_count"] == 12);
    CHECK(finish["status"] == "COMPLETE");
}

TEST_CASE("parameter digests are stable and value-sensitive", "[cli][ledger]") {
    CHECK(fnv1a64_hex("") == "cbf29ce484222325");
    CHECK(fnv1a64_hex("a") == "af63dc4c8601ec8c");
    auto step = orrery::Registry::instance().create("repeat");
    const auto d1 = parameters_digest(step->parameters());
    CHECK(parameters_digest(orrery::Registry::instance().create("repeat")->parameters()) == d1);
    ParamNode t = ParamNode::map();
    t.set("count", ParamNode::scalar("2", "--count"));
    step->configure(t);
    CHECK(parameters_digest(step->parameters()) != d1);
}

TEST_CASE("exit codes and the one-line report", "[cli][errors]") {
    CHECK(exit_code_of(orrery::UsageError("x")) == 2);
    CHECK(exit_code_of(orrery::ParameterError("k", "f:1", "bad")) == 2);
    CHECK(exit_code_of(orrery::ConfigError("x")) == 2);
    CHECK(exit_code_of(orrery::InputError("x")) == 3);
    CHECK(exit_code_of(orrery::StepError("x")) == 1);
    CHECK(exit_code_of(orrery::NoScienceError("x")) == 64);
    CHECK(exit_code_of(std::runtime_error("x")) == 1);
    CHECK(exit_code_of(std::filesystem::filesystem_error("x", std::error_code())) == 3);
    std::ostringstream err;
    CHECK(report_error(err, "strun", orrery::InputError("first\nsecond", "the cause"), false) == 3);
    CHECK(err.str() == "strun: error: first; second\n");
    std::ostringstream dbg;
    report_error(dbg, "strun", orrery::InputError("msg", "the cause"), true);
    CHECK(dbg.str() == "strun: error: msg\n  caused by: the cause\n  category: input-data (exit 3)\n  exception: orrery::InputError\n");
}

TEST_CASE("exit codes of the strun drop-in: stpipe's", "[cli][errors]") {
    CHECK(stpipe_exit_code(ArgumentSyntaxError("x")) == 2);
    CHECK(stpipe_exit_code(orrery::UnknownParameterError("k", "--k", "unknown")) == 2);      // argparse rejects it
    CHECK(stpipe_exit_code(orrery::UnknownParameterError("k", "p.asdf:3", "unknown")) == 1);  // configobj validation
    CHECK(stpipe_exit_code(orrery::UsageError("unknown step")) == 1);
    CHECK(stpipe_exit_code(orrery::InputError("x")) == 1);
    CHECK(stpipe_exit_code(orrery::NoScienceError("x")) == 1);
    CHECK(stpipe_exit_code(std::runtime_error("x")) == 1);
    CHECK(stpipe_exit_code(0) == 0);
    CHECK(stpipe_exit_code(3) == 1);
    CHECK(stpipe_exit_code(64) == 1);
}
