// Runs the command-line tests' orrery binary (build/tests/cli/orrery, with the
// hello and clitest steps) and checks exit codes, messages and files.

#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Result = orrery::test::ProgramResult;
using orrery::test::slurp;

/// A scratch directory per test case (removed with the Sandbox).
struct Sandbox {
    orrery::test::TempDir scratch;
    fs::path dir;
    explicit Sandbox(const std::string& name) : scratch("cli-" + name), dir(scratch.path()) {}
    fs::path write(const std::string& name, const std::string& content) const {
        const auto p = dir / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    [[nodiscard]] std::string read(const std::string& name) const { return slurp(dir / name); }
    [[nodiscard]] bool exists(const std::string& name) const { return fs::exists(dir / name); }

    /// Run the driver (or its strun link) in this directory. `env`: name -> value ("" unsets).
    Result run(std::vector<std::string> args, std::map<std::string, std::string> env = {}, bool as_strun = false) const {
        const std::string exe = as_strun ? ORRERY_CLI_STRUN : ORRERY_CLI_DRIVER;
        env.try_emplace("ORRERY_REF_DIR", "");
        env.try_emplace("ORRERY_PLUGIN_PATH", "");
        return orrery::test::run_program(exe, std::move(args), dir, env);
    }
    Result strun(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
        args.insert(args.begin(), "strun");
        return run(std::move(args), std::move(env));
    }
    Result orrery_run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
        args.insert(args.begin(), "run");
        return run(std::move(args), std::move(env));
    }

    /// A reference directory: the stamp reference and optional pars files.
    fs::path refdir(const std::map<std::string, std::string>& files = {}) const {
        write("refs/stamp.fits", "STAMP\n");
        for (const auto& [name, content] : files) write("refs/" + name, content);
        return dir / "refs";
    }
};

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

#define CHECK_CONTAINS(hay, needle) CHECK_THAT(hay, Catch::Matchers::Contains(needle))

std::vector<nlohmann::json> ledger_records(const fs::path& dir) {
    std::vector<nlohmann::json> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".jsonl") continue;
        std::ifstream in(e.path());
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

const std::string pars_header =
    "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n";

}  // namespace

// ---- general ---------------------------------------------------------------------

TEST_CASE("version: --version names the library and the plug-in layers", "[cli]") {
    Sandbox sb("version");
    for (auto args : {std::vector<std::string>{"--version"}, {"strun", "--version"}, {"run", "--version"}}) {
        const auto r = sb.run(args);
        CHECK(r.rc == 0);
        CHECK_CONTAINS(r.out, "orrery 0.1.0");
        CHECK_CONTAINS(r.out, "clitest 0.1.0");
        CHECK_CONTAINS(r.out, "hello: 3 steps, 1 pipeline");
    }
    const auto s = sb.run({"--version"}, {}, true);  // the strun link
    CHECK(s.rc == 0);
    CHECK_CONTAINS(s.out, "orrery 0.1.0");
}

TEST_CASE("bad invocations exit 2 with one line naming the problem", "[cli][errors]") {
    Sandbox sb("badinv");
    sb.write("in.txt", "hello\n");
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{}, "usage: orrery <command>"},
        {{"frobnicate"}, "unknown command 'frobnicate'"},
        {{"strun"}, "missing the step, pipeline or parameter file"},
        {{"strun", "textproc"}, "no input file given"},
        {{"strun", "nope", "in.txt"}, "unknown step or pipeline 'nope'"},
        {{"strun", "missing.asdf", "in.txt"}, "parameter file 'missing.asdf' does not exist"},
        {{"strun", "textproc", "in.txt", "--count"}, "parameter option --count needs a value"},
        {{"strun", "textproc", "in.txt", "-x"}, "unknown option '-x'"},
        {{"strun", "textproc", "in.txt", "--save-parameters"}, "option --save-parameters needs a value"},
        {{"strun", "textproc", "in.txt", "--debug=yes"}, "option --debug takes no value"},
        {{"strun", "textproc", "in.txt", "--only", "repeat"}, "--only is an option of 'orrery run'"},
        {{"strun", "textproc", "in.txt", "--log-level=LOUD"}, "--log-level: 'LOUD' is not one of"},
        {{"strun", "textproc", "in.txt", "--log-stream=tty"}, "--log-stream: 'tty' is not one of"},
        {{"strun", "textproc", "in.txt", "--ref-dir", "nowhere"}, "reference directory nowhere (--ref-dir) does not exist"},
        {{"strun", "textproc", "in.txt", "--bad..name=1"}, "is not a valid parameter option"},
        {{"strun", "count_words", "in.txt"}, "takes hello::Tokens, which cannot be read from a file"},
        {{"list", "--steps-only", "--pipelines-only"}, "exclude each other"},
        {{"describe"}, "which step or pipeline"},
        {{"describe", "nope"}, "unknown step or pipeline 'nope'"},
        {{"logs", "nope"}, "no run 'nope'"},
    };
    for (const auto& c : cases) {
        INFO("args: " << [&] { std::string s; for (auto& a : c.args) s += a + " "; return s; }());
        const auto r = sb.run(c.args);
        CHECK(r.rc == 2);
        CHECK_CONTAINS(r.err, c.message);
        if (!c.args.empty()) CHECK(r.err_lines() == 1);
    }
}

// ---- list / describe / help ----------------------------------------------------------

TEST_CASE("list prints 'class (alias)' lines, filtered", "[cli][list]") {
    Sandbox sb("list");
    auto r = sb.run({"list"});
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, "clitest.RepeatStep (repeat)\n");
    CHECK_CONTAINS(r.out, "clitest.TextPipeline (textproc)\n");
    CHECK_CONTAINS(r.out, "hello.HelloPipeline (hello)\n");
    CHECK(r.out.find("clitest.CheckStep") < r.out.find("clitest.RepeatStep"));  // sorted by class

    r = sb.run({"list", "--pipelines-only"});
    CHECK(r.out == "clitest.TextPipeline (textproc)\nhello.HelloPipeline (hello)\n");
    r = sb.run({"list", "--steps-only", "*TOK*"});  // glob, case-insensitive, on the class
    CHECK(r.out == "hello.Tokenize (tokenize)\n");
    r = sb.run({"list", "re*"});  // on the alias
    CHECK(r.out == "clitest.RepeatStep (repeat)\n");
    r = sb.run({"list", "zzz*"});
    CHECK(r.rc == 0);
    CHECK(r.out.empty());
    CHECK_CONTAINS(r.err, "(no matching classes)");
}

TEST_CASE("describe and -h list every parameter with type, default and help", "[cli][help]") {
    Sandbox sb("describe");
    auto r = sb.run({"describe", "textproc"});
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, "clitest.TextPipeline (textproc), pipeline: Repeat, check, stamp and upper-case a text");
    CHECK_CONTAINS(r.out, "steps: repeat, check, stamp, upper");
    CHECK_CONTAINS(r.out, "--shout");
    CHECK_CONTAINS(r.out, "--steps.repeat.count");
    CHECK_CONTAINS(r.out, "integer(min=1, max=100)");
    CHECK_CONTAINS(r.out, "How many times the text is repeated");
    CHECK_CONTAINS(r.out, "option('plain', 'loud')");
    CHECK_CONTAINS(r.out, "--steps.stamp.override_stamp");
    CHECK_CONTAINS(r.out, "--steps.upper.skip");
    const auto at = r.out.find("--steps.upper.skip ");
    REQUIRE(at != std::string::npos);
    CHECK_CONTAINS(r.out.substr(at, r.out.find('\n', at) - at), "[True]");  // skipped by default

    r = sb.strun({"textproc", "-h"});
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, "usage: orrery strun textproc <input>");
    CHECK_CONTAINS(r.out, "--steps.repeat.separator");
    CHECK_CONTAINS(r.out, "--save-parameters FILE");
    CHECK_CONTAINS(r.out, "--disable-crds-steppars");

    r = sb.run({"-h"}, {}, true);  // strun -h without a name: the usage
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, "usage: strun [options] <alias | class | parameter file>");

    r = sb.strun({"hello.Tokenize", "--help"});  // by class name
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, "--min_length");
    CHECK_CONTAINS(r.out, "[1]");
    CHECK_CONTAINS(r.out, "Shortest word kept");
}

// ---- strun ---------------------------------------------------------------------------

TEST_CASE("strun runs a pipeline and saves the outermost product", "[cli][strun]") {
    Sandbox sb("strun");
    sb.write("in.txt", "hello\n");
    const auto r = sb.strun({"textproc", "in.txt", "--steps.stamp.override_stamp=N/A"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "hello");
    CHECK_CONTAINS(r.err, "> [1/4] repeat ... done in ");
    CHECK_CONTAINS(r.err, "> [3/4] stamp ... skipped (no stamp reference (N/A))");
    CHECK_CONTAINS(r.err, "> [4/4] upper ... skipped\n");
    CHECK_CONTAINS(r.err, "OK textproc on in.txt: 4 steps (2 done, 2 skipped) in ");
    CHECK_CONTAINS(r.err, " - orrery.textproc.repeat - INFO - Step repeat running");

    // The strun link behaves the same.
    const auto s = sb.run({"textproc", "in.txt", "--steps.stamp.override_stamp", "N/A", "--steps.repeat.count", "2"}, {}, true);
    REQUIRE(s.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "hello hello");
}

TEST_CASE("strun gives steps a parallel loop on several threads", "[cli][strun]") {
    if (std::thread::hardware_concurrency() < 2) {
        WARN("one hardware thread: the loop runs serially by design, nothing to check");
        return;
    }
    Sandbox sb("parallel");
    sb.write("in.txt", "x");
    const auto r = sb.strun({"spread", "in.txt"});
    REQUIRE(r.rc == 0);
    const std::string out = sb.read("in_spreadstep.txt");
    INFO("output: " << out);
    REQUIRE(out.rfind("x ranges=", 0) == 0);
    CHECK(std::stoi(out.substr(9)) > 1);  // 1: ctx.parallel_for ran the whole range on the calling thread
}

TEST_CASE("strun runs a single step with --param value and --param=value", "[cli][strun]") {
    Sandbox sb("step");
    sb.write("in.txt", "ab\n");
    auto r = sb.strun({"repeat", "in.txt", "--count", "3", "--separator=-", "--mode", "loud", "--scale=None", "--pattern=1,2,"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_repeatstep.txt") == "AB-AB-AB");  // standalone: suffix = class name lower-cased
    CHECK_CONTAINS(r.err, "> repeat ... done in ");

    r = sb.strun({"clitest.RepeatStep", "in.txt", "--suffix=twice", "--count=2"});  // class name, explicit suffix
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_twice.txt") == "ab ab");

    r = sb.strun({"repeat", "in.txt", "--count=-5"});  // a negative value after '='
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter 'count' (from --count): the value -5 is below the minimum 1.0");
}

TEST_CASE("output_dir, output_file, per-step save_results and suffix stripping", "[cli][outputs]") {
    Sandbox sb("outputs");
    sb.write("x_repeat.txt", "hi\n");  // "_repeat" is a known suffix (a step alias): stripped
    auto r = sb.strun({"textproc", "x_repeat.txt", "--steps.stamp.override_stamp=N/A", "--output_dir=out/sub",
                       "--steps.repeat.save_results=true", "--steps.repeat.count=2"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("out/sub/x_textpipeline.txt") == "hi hi");
    CHECK(sb.read("out/sub/x_repeat.txt") == "hi hi");  // a child inherits the pipeline's output_dir
    CHECK_CONTAINS(r.err, "Saved model in out/sub/x_repeat.txt");

    sb.write("doc_count_words.txt", "hi\n");  // a known suffix with an underscore (jwst's regex: shortest root)
    r = sb.strun({"textproc", "doc_count_words.txt", "--steps.stamp.override_stamp=N/A"});
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("doc_textpipeline.txt"));

    r = sb.strun({"textproc", "x_repeat.txt", "--steps.stamp.override_stamp=N/A", "--output_file=some/dir/stage1"});
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("stage1_textpipeline.txt"));  // only the basename of output_file is used

    // A child's own output_file saves it (no save_results needed), in the pipeline's output_dir.
    r = sb.strun({"textproc", "x_repeat.txt", "--steps.stamp.override_stamp=N/A", "--output_dir=own", "--steps.repeat.output_file=mine.txt"});
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("own/mine_repeat.txt"));
    CHECK(sb.exists("own/x_textpipeline.txt"));
}

TEST_CASE("names as stpipe: a parameter file's name (or stem), suffix null, chaining single steps", "[cli][outputs]") {
    Sandbox sb("names");
    sb.write("in.txt", "ab\n");
    // The name a step-level file gives the instance names its product; `suffix: null` is the default.
    sb.write("repeat.asdf", pars_header + "class: clitest.RepeatStep\nname: Twice\nparameters:\n  count: 2\n  suffix: null\n...\n");
    auto r = sb.strun({"repeat.asdf", "in.txt"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_twice.txt") == "ab ab");
    // Without a name, the file's stem.
    sb.write("my_settings.asdf", pars_header + "class: clitest.RepeatStep\nparameters:\n  count: 3\n...\n");
    r = sb.strun({"my_settings.asdf", "in.txt"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_my_settings.txt") == "ab ab ab");
    // A pipeline's file with `name` and `suffix: null` (as stpipe saves them): named by its name.
    sb.write("pipe.asdf", pars_header + "class: clitest.TextPipeline\nname: TextPipeline\nparameters:\n  suffix: null\n  output_file: null\n"
                                        "steps:\n- class: clitest.RepeatStep\n  name: repeat\n  parameters:\n    suffix: null\n"
                                        "    save_results: true\n...\n");
    r = sb.strun({"pipe.asdf", "in.txt", "--steps.stamp.override_stamp=N/A"});
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("in_textpipeline.txt"));
    CHECK(sb.exists("in_repeat.txt"));  // a child's `suffix: null`: its alias

    // Chaining single steps through files replaces the suffix: registered steps' lower-cased class names are known.
    REQUIRE(sb.strun({"repeat", "in.txt"}).rc == 0);
    REQUIRE(sb.strun({"clitest.UpperStep", "in_repeatstep.txt"}).rc == 0);
    CHECK(sb.read("in_upperstep.txt") == "AB");
    CHECK_FALSE(sb.exists("in_repeatstep_upperstep.txt"));
}

TEST_CASE("failures map to exit codes 1, 3 and 64 with one-line messages", "[cli][errors]") {
    Sandbox sb("fail");
    sb.write("fail.txt", "this will FAIL\n");
    sb.write("bad.txt", "BADINPUT\n");
    sb.write("blank.txt", "  \n");
    const std::vector<std::string> na = {"--steps.stamp.override_stamp=N/A"};
    auto args = [&](std::string in) {
        std::vector<std::string> a{"textproc", std::move(in)};
        a.insert(a.end(), na.begin(), na.end());
        return a;
    };

    auto r = sb.strun(args("fail.txt"));
    CHECK(r.rc == 1);
    CHECK_CONTAINS(r.err, "orrery strun: error: step 'check': the text contains 'FAIL'\n");
    CHECK_CONTAINS(r.err, "> [2/4] check ... FAILED after");
    CHECK_CONTAINS(r.err, "FAILED textproc on fail.txt: failed at check after");
    CHECK(!sb.exists("fail_textpipeline.txt"));

    r = sb.strun(args("bad.txt"));
    CHECK(r.rc == 3);
    CHECK_CONTAINS(r.err, "error: step 'check': input text is corrupt (contains BADINPUT)");

    r = sb.strun(args("blank.txt"));
    CHECK(r.rc == 64);
    CHECK_CONTAINS(r.err, "error: step 'check': no text to process");

    r = sb.strun(args("nothere.txt"));
    CHECK(r.rc == 3);
    CHECK_CONTAINS(r.err, "error: input file nothere.txt: no such file");

    // The reference is missing: an input data error naming the reference type.
    r = sb.strun({"textproc", "fail.txt", "--steps.check.fail_on=ZZZ"});
    CHECK(r.rc == 3);
    CHECK_CONTAINS(r.err, "no 'stamp' reference file");

    // --debug prints the chain: category, exit code, exception type.
    auto dbg = args("fail.txt");
    dbg.push_back("--debug");
    r = sb.strun(dbg);
    CHECK(r.rc == 1);
    CHECK_CONTAINS(r.err, "category: step-failed (exit 1)");
    CHECK_CONTAINS(r.err, "exception: orrery::");
}

TEST_CASE("bad parameter values and unknown keys name the key and the flag", "[cli][errors]") {
    Sandbox sb("badparam");
    sb.write("in.txt", "x\n");
    auto r = sb.strun({"textproc", "in.txt", "--steps.repeat.count=0"});
    CHECK(r.rc == 2);
    CHECK(r.err == "orrery strun: error: parameter 'steps.repeat.count' (from --steps.repeat.count): the value 0 is below the minimum 1.0\n");

    r = sb.strun({"textproc", "in.txt", "--bogus=1"});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter 'bogus' (from --bogus): unknown parameter for pipeline 'textproc'");

    r = sb.strun({"textproc", "in.txt", "--steps.nostep.x=1"});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter 'steps.nostep' (from --steps.nostep.x): pipeline 'textproc' has no step 'nostep'");

    r = sb.strun({"textproc", "in.txt", "--steps.repeat.mode=quiet"});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "the value \"quiet\" is not one of 'plain', 'loud'");

    r = sb.strun({"textproc", "in.txt", "--shout=maybe"});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter 'shout' (from --shout): the value \"maybe\" is not a boolean");
    CHECK(!sb.exists("in_textpipeline.txt"));
}

// ---- parameter files and precedence --------------------------------------------------

TEST_CASE("precedence: defaults < pars files in the reference directory < user file < command line", "[cli][precedence]") {
    Sandbox sb("precedence");
    sb.write("in.txt", "x\n");
    const auto refs = sb.refdir({{"pars-repeatstep.asdf", pars_header + "parameters:\n  class: clitest.RepeatStep\n  name: repeat\n  count: 2\n  separator: '+'\n...\n"}});
    sb.write("user.asdf", pars_header +
                              "class: clitest.TextPipeline\nname: textproc\nparameters: {}\nsteps:\n- class: clitest.RepeatStep\n  name: repeat\n"
                              "  parameters:\n    count: 3\n...\n");
    const std::string out = "in_textpipeline.txt";      // named by its class
    const std::string user_out = "in_textproc.txt";     // user.asdf names the instance "textproc"

    // 1. code defaults (no reference directory: the stamp step needs N/A)
    auto r = sb.strun({"textproc", "in.txt", "--steps.stamp.override_stamp=N/A"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read(out) == "x");
    // 2. + pars-repeatstep in the reference directory (and the stamp reference)
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string()});
    REQUIRE(r.rc == 0);
    CHECK(sb.read(out) == "x+x STAMP");
    // same through ORRERY_REF_DIR
    r = sb.strun({"textproc", "in.txt"}, {{"ORRERY_REF_DIR", refs.string()}});
    REQUIRE(r.rc == 0);
    CHECK(sb.read(out) == "x+x STAMP");
    // 3. + the user's parameter file (count 3; the separator still from the pars file)
    r = sb.strun({"user.asdf", "in.txt", "--ref-dir=" + refs.string()});
    REQUIRE(r.rc == 0);
    CHECK(sb.read(user_out) == "x+x+x STAMP");
    // 4. + the command line
    r = sb.strun({"user.asdf", "in.txt", "--ref-dir=" + refs.string(), "--steps.repeat.count=4"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read(user_out) == "x+x+x+x STAMP");

    // The pipeline's own pars file is merged over its children's.
    sb.write("refs/pars-textpipeline.asdf", pars_header + "parameters:\n  class: clitest.TextPipeline\n  name: textproc\n  shout: true\n"
                                                          "  steps:\n    repeat:\n      count: 5\n...\n");
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string()});
    REQUIRE(r.rc == 0);
    CHECK(sb.read(out) == "x+x+x+x+x STAMP!");

    // The dry run shows where each value came from.
    r = sb.orrery_run({"user.asdf", "in.txt", "--ref-dir", refs.string(), "--dry-run", "--steps.repeat.mode=loud"});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, "count = 3  (from user.asdf:");
    CHECK_CONTAINS(r.out, "separator = '+'  (from " + (refs / "pars-repeatstep.asdf").string() + ":");
    CHECK_CONTAINS(r.out, "shout = True  (from " + (refs / "pars-textpipeline.asdf").string() + ":");
    CHECK_CONTAINS(r.out, "mode = 'loud'  (from --steps.repeat.mode)");
    CHECK_CONTAINS(r.out, "parameter reference file: " + (refs / "pars-repeatstep.asdf").string());
}

TEST_CASE("a bad value in a parameter file names the file and line", "[cli][precedence][errors]") {
    Sandbox sb("badfile");
    sb.write("in.txt", "x\n");
    sb.write("user.cfg", "name = textproc\nclass = clitest.TextPipeline\n[steps]\n  [[repeat]]\n  count = 0\n");
    auto r = sb.strun({"user.cfg", "in.txt", "--steps.stamp.override_stamp=N/A"});
    CHECK(r.rc == 2);
    CHECK(r.err == "orrery strun: error: parameter 'steps.repeat.count' (from user.cfg:5): the value 0 is below the minimum 1.0\n");

    const auto refs = sb.refdir({{"pars-checkstep.asdf", pars_header + "parameters:\n  class: clitest.CheckStep\n  fail_on: X\n  verbose: 1\n...\n"}});
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string()});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter 'steps.check.verbose' (from " + (refs / "pars-checkstep.asdf").string() + ":9): unknown parameter for step 'check'");

    sb.write("broken.asdf", pars_header + "class: clitest.TextPipeline\nparameters: {shout: [true\n");
    r = sb.strun({"broken.asdf", "in.txt"});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter file broken.asdf:");
    CHECK_CONTAINS(r.err, "not valid YAML");

    sb.write("noclass.cfg", "count = 2\n");
    r = sb.strun({"noclass.cfg", "in.txt"});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, "parameter file noclass.cfg does not name the 'class' to run");
}

TEST_CASE("shell-command hooks run from the command line and the user's file, from pars files only with --allow-reference-hooks", "[cli][hooks]") {
    Sandbox sb("hooks");
    sb.write("in.txt", "x\n");
    fs::create_directories(sb.dir / "tmp");
    const std::map<std::string, std::string> env = {{"TMPDIR", (sb.dir / "tmp").string()}};
    auto tmp_is_empty = [&] { return fs::is_empty(sb.dir / "tmp"); };

    // From the command line: {0} is the step's output saved to a temporary file, removed afterwards.
    auto r = sb.strun({"textproc", "in.txt", "--steps.stamp.override_stamp=N/A", "--steps.repeat.count=2",
                       "--steps.repeat.post_hooks=cp {0} hooked.txt"}, env);
    REQUIRE(r.rc == 0);
    CHECK(sb.read("hooked.txt") == "x x");
    CHECK(tmp_is_empty());
    // A failing command: the step fails, and the temporary file is removed all the same.
    r = sb.strun({"textproc", "in.txt", "--steps.stamp.override_stamp=N/A", "--steps.repeat.post_hooks=test ! -e {0}"}, env);
    CHECK(r.rc == 1);
    CHECK_CONTAINS(r.err, "post hook command 'test ! -e {0}' exited with status 1");
    CHECK(tmp_is_empty());

    // From the user's own parameter file.
    sb.write("user.asdf", pars_header + "class: clitest.TextPipeline\nname: textproc\nparameters: {}\nsteps:\n- class: clitest.RepeatStep\n"
                                        "  name: repeat\n  parameters:\n    pre_hooks: ['touch from_user']\n...\n");
    r = sb.strun({"user.asdf", "in.txt", "--steps.stamp.override_stamp=N/A"}, env);
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("from_user"));

    // From a pars file in the reference directory: refused before anything runs, naming the file.
    const auto refs = sb.refdir({{"pars-repeatstep.asdf", pars_header + "parameters:\n  class: clitest.RepeatStep\n  post_hooks: ['touch from_refs']\n...\n"}});
    const std::string pars = (refs / "pars-repeatstep.asdf").string();
    fs::remove(sb.dir / "in_textpipeline.txt");
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string()}, env);
    CHECK(r.rc == 2);
    CHECK(r.err_lines() == 1);
    CHECK_CONTAINS(r.err, "parameter reference file " + pars + " asks to run the shell command 'touch from_refs'");
    CHECK_CONTAINS(r.err, "--allow-reference-hooks");
    CHECK_FALSE(sb.exists("from_refs"));
    CHECK_FALSE(sb.exists("in_textpipeline.txt"));
    r = sb.orrery_run({"textproc", "in.txt", "--ref-dir", refs.string(), "--dry-run"}, env);
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.err, pars);
    // Opted in, it runs.
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string(), "--allow-reference-hooks"}, env);
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("from_refs"));
    CHECK(tmp_is_empty());
}

TEST_CASE("cfg user files with config_file includes relative to the including file", "[cli][precedence]") {
    Sandbox sb("cfginclude");
    sb.write("in.txt", "y\n");
    sb.write("conf/repeat.cfg", "name = repeat\nclass = clitest.RepeatStep\ncount = 2\nseparator = \"::\"\n");
    sb.write("conf/pipe.cfg",
             "name = \"textproc\"\nclass = \"clitest.TextPipeline\"\n\n[steps]\n  [[repeat]]\n  config_file = repeat.cfg\n  count = 3  # wins over "
             "the included file\n  [[stamp]]\n  override_stamp = N/A\n");
    const auto r = sb.strun({"conf/pipe.cfg", "in.txt"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textproc.txt") == "y::y::y");  // the file names the instance "textproc"
}

TEST_CASE("parameter file fixtures in tests/data/cli, read from another directory", "[cli][params]") {
    Sandbox sb("fixtures");
    const fs::path data = fs::path(ORRERY_TEST_DATA_DIR) / "cli";
    auto r = sb.strun({(data / "textproc.asdf").string(), (data / "hello.txt").string(), "--output_dir=."});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("hello_textproc.txt") == "hello / hello!");  // the files name the instance "textproc"
    r = sb.strun({(data / "textproc.cfg").string(), (data / "hello.txt").string(), "--output_dir", "."});  // includes repeat.cfg
    REQUIRE(r.rc == 0);
    CHECK(sb.read("hello_textproc.txt") == "HELLO-HELLO-HELLO");
}

TEST_CASE("every real parameter file parses; its class decides what runs", "[cli][params]") {
    Sandbox sb("realparams");
    sb.write("in.txt", "x\n");
    const std::map<std::string, std::string> classes = {
        {"flat_field.cfg", ""},
        {"jwst_generic_pars-makeliststep_0001.asdf", "steps.MakeListStep"},
        {"jwst_generic_pars-makeliststep_0002.asdf", "steps.MakeListStep"},
        {"jwst_generic_pars-tweakreg_0001.asdf", "jwst.tweakreg.TweakRegStep"},
        {"makelist.cfg", "steps.MakeListStep"},
        {"makelist_pipeline.cfg", "steps.FooPipeline"},
        {"proper_pipeline.asdf", "jwst.stpipe.tests.steps.ProperPipeline"},
        {"save_pipeline.cfg", "jwst.stpipe.tests.steps.SavePipeline"},
    };
    for (const auto& entry : fs::directory_iterator(fs::path(ORRERY_TEST_DATA_DIR) / "real" / "params")) {
        const std::string name = entry.path().filename().string();
        INFO(name);
        REQUIRE(classes.count(name) == 1);
        const auto r = sb.strun({entry.path().string(), "in.txt"});
        CHECK(r.rc == 2);
        CHECK(r.err_lines() == 1);
        if (classes.at(name).empty()) CHECK_CONTAINS(r.err, "does not name the 'class' to run");
        else CHECK_CONTAINS(r.err, "class '" + classes.at(name) + "' is not a registered step or pipeline");
    }
}

TEST_CASE("save-parameters: --save-parameters writes an ASDF file that reads back to the same run", "[cli][save-parameters]") {
    Sandbox sb("savepars");
    sb.write("in.txt", "z\n");
    auto r = sb.strun({"textproc", "--save-parameters", "p.asdf", "--steps.repeat.count=3", "--steps.repeat.separator=', '",
                       "--steps.stamp.override_stamp=N/A", "--shout=yes"});
    REQUIRE(r.rc == 0);  // no input: save and stop
    const std::string text = sb.read("p.asdf");
    CHECK(text.rfind("#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n", 0) == 0);
    CHECK_CONTAINS(text, "\nclass: clitest.TextPipeline\n");
    CHECK_CONTAINS(text, "  author: <SPECIFY>\n");
    CHECK_CONTAINS(text, "\nname: TextPipeline\nparameters:\n  shout: true\n");  // as stpipe: the instance's name
    CHECK_CONTAINS(text, "\nsteps:\n- class: clitest.RepeatStep\n  name: repeat\n  parameters:\n    count: 3\n    separator: ', '\n");
    CHECK_CONTAINS(text, "    override_stamp: N/A\n");
    CHECK(text.substr(text.size() - 4) == "...\n");

    r = sb.strun({"p.asdf", "in.txt"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "z, z, z!");

    // Saving again from the saved file gives the same parameters (date aside).
    r = sb.strun({"p.asdf", "--save-parameters", "q.asdf"});
    REQUIRE(r.rc == 0);
    auto strip_date = [](std::string s) {
        auto at = s.find("  date: ");
        return s.erase(at, s.find('\n', at) - at);
    };
    CHECK(strip_date(sb.read("q.asdf")) == strip_date(text));

    // With an input, the file is written first and the run happens; save_results is recorded as forced.
    r = sb.strun({"textproc", "in.txt", "--steps.stamp.override_stamp=N/A", "--save-parameters=r.asdf"});
    REQUIRE(r.rc == 0);
    CHECK(sb.exists("in_textpipeline.txt"));
    CHECK_CONTAINS(sb.read("r.asdf"), "\nparameters:\n  shout: false\n  skip: false\n  save_results: true\n");
}

// ---- logging flags -------------------------------------------------------------------

TEST_CASE("logging flags", "[cli][logging]") {
    Sandbox sb("logging");
    sb.write("in.txt", "x\n");
    const std::vector<std::string> base = {"textproc", "in.txt", "--steps.stamp.override_stamp=N/A"};
    auto with = [&](std::vector<std::string> extra) {
        auto a = base;
        a.insert(a.end(), extra.begin(), extra.end());
        return sb.strun(a);
    };
    auto r = with({"--log-level=WARNING"});
    REQUIRE(r.rc == 0);
    CHECK(!contains(r.err, " - INFO - "));
    CHECK_CONTAINS(r.err, "> [1/4] repeat");  // progress is not logging

    r = with({"--log-file", "run.log"});
    REQUIRE(r.rc == 0);
    CHECK(!contains(r.err, " - INFO - "));
    CHECK_CONTAINS(sb.read("run.log"), " - orrery.textproc.repeat - INFO - Step repeat running");

    r = with({"--log-stream", "stdout"});
    CHECK_CONTAINS(r.out, " - INFO - Step repeat running");
    CHECK(!contains(r.err, " - INFO - "));

    r = with({"--log-stream=null", "--no-progress"});
    REQUIRE(r.rc == 0);
    CHECK(r.err.empty());

    r = with({"-v"});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.err, " - INFO - ");
    r = with({"--verbose", "--log-level", "ERROR"});  // verbose wins, as in stpipe
    CHECK_CONTAINS(r.err, " - INFO - ");

    r = with({"--disable-crds-steppars"});
    CHECK(r.rc == 0);
    r = with({"--logcfg", "old.cfg"});
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.err, "--logcfg is deprecated and ignored");
}

// ---- orrery run ----------------------------------------------------------------------

TEST_CASE("run selects steps with --only, --skip, --from, --to", "[cli][run]") {
    Sandbox sb("select");
    sb.write("in.txt", "ab");
    const auto refs = sb.refdir();
    auto run = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = {"textproc", "in.txt", "--ref-dir", refs.string(), "--steps.repeat.count=2"};
        a.insert(a.end(), extra.begin(), extra.end());
        return sb.orrery_run(a);
    };
    auto r = run({});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "ab ab STAMP");
    r = run({"--only", "upper"});  // runs upper although it is skipped by default
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "AB");
    r = run({"--skip", "repeat"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "ab STAMP");
    r = run({"--skip=repeat,stamp"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "ab");
    r = run({"--from", "stamp"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "ab STAMP");
    r = run({"--to", "check"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "ab ab");
    r = run({"--from", "check", "--to", "upper", "--only", "stamp,upper"});
    REQUIRE(r.rc == 0);
    CHECK(sb.read("in_textpipeline.txt") == "AB STAMP");
}

TEST_CASE("run rejects unknown or contradictory selections before running", "[cli][run][errors]") {
    Sandbox sb("badselect");
    sb.write("in.txt", "ab\n");
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{"textproc", "in.txt", "--only", "nope"}, "--only: pipeline 'textproc' has no step 'nope' (its steps: repeat, check, stamp, upper)"},
        {{"textproc", "in.txt", "--skip", "nope"}, "--skip: pipeline 'textproc' has no step 'nope'"},
        {{"textproc", "in.txt", "--from", "upper", "--to", "repeat"}, "--from upper comes after --to repeat"},
        {{"textproc", "in.txt", "--only", "repeat", "--skip", "repeat"}, "step 'repeat' is given both to --only and to --skip"},
        {{"textproc", "in.txt", "--from", "stamp", "--only", "repeat"}, "--only repeat lies outside the --from/--to range"},
        {{"textproc", "in.txt", "--skip", "repeat,check,stamp"}, "leaves no step of 'textproc' to run"},
        {{"hello", "in.txt", "--from", "lowercase"}, "step 'tokenize' cannot be skipped (it turns std::string into hello::Tokens)"},
        {{"repeat", "in.txt", "--only", "repeat"}, "select steps of a pipeline; 'repeat' is a single step"},
    };
    for (const auto& c : cases) {
        INFO(c.message);
        const auto r = sb.orrery_run(c.args);
        CHECK(r.rc == 2);
        CHECK_CONTAINS(r.err, c.message);
        CHECK(r.err_lines() == 1);
    }
    CHECK(!sb.exists("in_textpipeline.txt"));
    CHECK(!sb.exists(".orrery-runs"));  // nothing ran, no ledger
}

TEST_CASE("run --dry-run prints the plan and reads no data", "[cli][run][dry-run]") {
    Sandbox sb("dryrun");
    const auto refs = sb.refdir();
    // The input does not exist: a dry run must not try to load it.
    auto r = sb.orrery_run({"textproc", "missing_uncal.txt", "--dry-run", "--ref-dir", refs.string(), "--steps.repeat.count=3", "--skip", "check"});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, "plan for textproc (clitest.TextPipeline), pipeline\n");
    CHECK_CONTAINS(r.out, "input: missing_uncal.txt (not read: dry run)");
    CHECK_CONTAINS(r.out, "[1/4] repeat (clitest.RepeatStep): run\n          count = 3  (from --steps.repeat.count)\n");
    CHECK_CONTAINS(r.out, "[2/4] check (clitest.CheckStep): skip\n          skip = True  (from --skip)\n");
    CHECK_CONTAINS(r.out, "[3/4] stamp (clitest.StampStep): run\n          reference stamp: " + (refs / "stamp.fits").string() + "\n");
    CHECK_CONTAINS(r.out, "[4/4] upper (clitest.UpperStep): skip\n");
    CHECK_CONTAINS(r.out, "save_results = True  (from strun: outermost step)");
    CHECK(!sb.exists(".orrery-runs"));
    CHECK(!sb.exists("missing_textpipeline.txt"));

    r = sb.orrery_run({"textproc", "in.txt", "--dry-run", "--steps.stamp.override_stamp=other.fits"});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, "reference stamp: other.fits (override_stamp)");
    CHECK_CONTAINS(r.out, "override_stamp = 'other.fits'  (from --steps.stamp.override_stamp)");

    r = sb.orrery_run({"repeat", "in.txt", "--dry-run", "--count=2"});  // a single step
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, "[1/1] repeat (clitest.RepeatStep): run\n          count = 2  (from --count)\n");
}

TEST_CASE("run --continue-on-error keeps going over independent inputs; the run is degraded", "[cli][run][continue]") {
    Sandbox sb("continue");
    sb.write("a.txt", "a\n");
    sb.write("b.txt", "FAIL b\n");
    sb.write("c.txt", "c\n");
    const std::vector<std::string> base = {"textproc", "a.txt", "b.txt", "c.txt", "--steps.stamp.override_stamp=N/A", "--ledger", "L1"};

    auto r = sb.orrery_run(base);  // fail fast
    CHECK(r.rc == 1);
    CHECK(sb.exists("a_textpipeline.txt"));
    CHECK(!sb.exists("c_textpipeline.txt"));
    CHECK_CONTAINS(r.err, ": failed (1 of 3 inputs failed)");
    auto recs = ledger_records(sb.dir / "L1");
    REQUIRE(!recs.empty());
    CHECK(recs.back()["record"] == "run");
    CHECK(recs.back()["status"] == "failed");
    CHECK(recs.back()["inputs_not_run"] == 1);

    fs::remove("a_textpipeline.txt");
    auto args = base;
    args.back() = "L2";
    args.push_back("--continue-on-error");
    r = sb.orrery_run(args);
    CHECK(r.rc == 1);  // non-zero: the exit code of the first failure
    CHECK(sb.exists("a_textpipeline.txt"));
    CHECK(sb.exists("c_textpipeline.txt"));
    CHECK_CONTAINS(r.err, "error: step 'check': the text contains 'FAIL'");
    CHECK_CONTAINS(r.err, ": degraded (1 of 3 inputs failed)");
    recs = ledger_records(sb.dir / "L2");
    CHECK(recs.back()["status"] == "degraded");
    CHECK(recs.back()["exit_code"] == 1);
    int failed_inputs = 0;
    for (const auto& j : recs)
        if (j["record"] == "input" && j["status"] == "failed") ++failed_inputs;
    CHECK(failed_inputs == 1);
}

TEST_CASE("run writes a JSON-lines ledger; logs reads it", "[cli][run][ledger]") {
    Sandbox sb("ledger");
    sb.write("in.txt", "hello\n");
    const auto refs = sb.refdir();
    auto r = sb.orrery_run({"textproc", "in.txt", "--ref-dir", refs.string(), "--steps.repeat.save_results=true"});
    REQUIRE(r.rc == 0);
    REQUIRE(sb.exists(".orrery-runs"));  // the default ledger directory
    auto recs = ledger_records(sb.dir / ".orrery-runs");
    REQUIRE(recs.size() == 6);  // 4 steps, 1 input, 1 run
    const auto& first = recs[0];
    CHECK(first["record"] == "step");
    CHECK(first["step"] == "repeat");
    CHECK(first["class"] == "clitest.RepeatStep");
    CHECK(first["status"] == "COMPLETE");
    CHECK(first["index"] == 1);
    CHECK(first["total"] == 4);
    CHECK(first["inputs"][0]["path"] == "in.txt");
    CHECK(first["inputs"][0]["size"] == 6);
    CHECK(first["outputs"][0]["path"] == "in_repeat.txt");
    CHECK(first["outputs"][0]["size"] == 5);
    CHECK(first["error"].is_null());
    CHECK(first["duration_s"].get<double>() >= 0.0);
    CHECK(first["start"].get<std::string>().size() == 24);  // 2026-11-25T11:32:05.123Z
    const std::string digest = first["params_digest"];
    CHECK(digest.rfind("fnv1a64:", 0) == 0);
    CHECK(recs[1]["inputs"][0]["from_step"] == "repeat");
    CHECK(recs[2]["step"] == "stamp");
    CHECK(recs[2]["references"][0]["reftype"] == "stamp");
    CHECK(recs[2]["references"][0]["path"] == (refs / "stamp.fits").string());
    CHECK(recs[2]["references"][0]["size"] == 6);
    CHECK(recs[3]["status"] == "SKIPPED");
    CHECK(recs[4]["record"] == "input");
    CHECK(recs[4]["outputs"].size() == 2);
    CHECK(recs[5]["record"] == "run");
    CHECK(recs[5]["status"] == "complete");
    CHECK(recs[5]["class"] == "clitest.TextPipeline");
    const std::string run_id = recs[5]["run_id"];

    // Same parameters: same digest; other parameters: another digest.
    fs::rename(sb.dir / ".orrery-runs", sb.dir / "first-runs");
    r = sb.orrery_run({"textproc", "in.txt", "--ref-dir", refs.string(), "--steps.repeat.save_results=true"});
    REQUIRE(r.rc == 0);
    CHECK(ledger_records(sb.dir / ".orrery-runs")[0]["params_digest"] == digest);
    fs::remove_all(sb.dir / ".orrery-runs");
    r = sb.orrery_run({"textproc", "in.txt", "--ref-dir", refs.string(), "--steps.repeat.count=2"});
    REQUIRE(r.rc == 0);
    CHECK(ledger_records(sb.dir / ".orrery-runs")[0]["params_digest"] != digest);

    // logs: the list, one run by id prefix, the newest, raw JSON.
    r = sb.run({"logs", "--ledger", "first-runs"});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, run_id + "  complete  textproc  4 steps");
    r = sb.run({"logs", "--ledger=first-runs", run_id.substr(0, 12)});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, "[1/4] repeat  COMPLETE");
    CHECK_CONTAINS(r.out, "-> in_repeat.txt");
    CHECK_CONTAINS(r.out, "[4/4] upper  SKIPPED");
    CHECK_CONTAINS(r.out, "run complete, exit 0");
    r = sb.run({"logs", "last"});
    REQUIRE(r.rc == 0);
    CHECK_CONTAINS(r.out, "[1/4] repeat  COMPLETE");
    r = sb.run({"logs", "--json", "--ledger", "first-runs", "last"});
    REQUIRE(r.rc == 0);
    CHECK(nlohmann::json::parse(r.out.substr(0, r.out.find('\n')))["step"] == "repeat");

    // strun writes a ledger only when asked.
    fs::remove_all(sb.dir / ".orrery-runs");
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string()});
    REQUIRE(r.rc == 0);
    CHECK(!sb.exists(".orrery-runs"));
    r = sb.strun({"textproc", "in.txt", "--ref-dir", refs.string(), "--ledger", "mine"});
    REQUIRE(r.rc == 0);
    CHECK(ledger_records(sb.dir / "mine").size() == 6);
}

TEST_CASE("a failing step is recorded in the ledger with its error", "[cli][run][ledger]") {
    Sandbox sb("ledgerfail");
    sb.write("in.txt", "FAIL\n");
    const auto r = sb.orrery_run({"textproc", "in.txt", "--steps.stamp.override_stamp=N/A"});
    CHECK(r.rc == 1);
    const auto recs = ledger_records(sb.dir / ".orrery-runs");
    REQUIRE(recs.size() == 4);  // repeat, check (failed), input, run
    CHECK(recs[1]["status"] == "FAILED");
    CHECK(recs[1]["error"] == "the text contains 'FAIL'");
    CHECK(recs[3]["status"] == "failed");
    CHECK(recs[3]["exit_code"] == 1);
}

// ---- doctor --------------------------------------------------------------------------

TEST_CASE("doctor reports versions and checks the environment", "[cli][doctor]") {
    Sandbox sb("doctor");
    const auto refs = sb.refdir();
    auto r = sb.run({"doctor", "--ref-dir", refs.string()});
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, "orrery            0.1.0");
    CHECK_CONTAINS(r.out, "compiler");
    CHECK_CONTAINS(r.out, "Boost (Hana)");
    CHECK_CONTAINS(r.out, "yaml-cpp");
    CHECK_CONTAINS(r.out, "nlohmann_json");
    CHECK_CONTAINS(r.out, "hardware threads");
    CHECK_CONTAINS(r.out, "registry          8 steps, 2 pipelines");
    CHECK_CONTAINS(r.out, "ORRERY_PLUGIN_PATH not set");
    CHECK_CONTAINS(r.out, refs.string() + " (--ref-dir): ok, readable");
    CHECK_CONTAINS(r.out, "ok, writable");
    CHECK_CONTAINS(r.out, "all checks passed");

    r = sb.run({"doctor"}, {{"ORRERY_REF_DIR", (sb.dir / "nowhere").string()}});
    CHECK(r.rc == 2);
    CHECK_CONTAINS(r.out, "(ORRERY_REF_DIR): FAIL, does not exist");
    CHECK_CONTAINS(r.out, "some checks FAILED");

    r = sb.run({"doctor"}, {{"ORRERY_PLUGIN_PATH", refs.string()}});
    CHECK(r.rc == 0);
    CHECK_CONTAINS(r.out, refs.string() + ": ok");
}
