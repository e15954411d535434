// `orrery graph ...` as a user runs it: the real binary on graph files of commands
// run by the real sh, python3 and node, in a scratch copy of the directory.
#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using orrery::test::ProgramResult;
using orrery::test::run_program;
using orrery::test::slurp;
using orrery::test::TempDir;

namespace {

const std::string orrery_exe = std::string(ORRERY_BINARY_DIR) + "/bin/orrery";
const fs::path examples = fs::path(ORRERY_TEST_DATA_DIR) / ".." / ".." / "examples" / "graphs";

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

ProgramResult graph(const fs::path& dir, std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), "graph");
    auto e = env;
    e.emplace("XDG_CONFIG_HOME", (dir / ".no-global-config").string());
    return run_program(orrery_exe, std::move(args), dir, e);
}

/// Every record of the newest ledger in `dir`/.orrery-runs.
std::vector<nlohmann::json> last_ledger(const fs::path& dir) {
    fs::path newest;
    for (const auto& e : fs::directory_iterator(dir / ".orrery-runs"))
        if (e.path().extension() == ".jsonl" && (newest.empty() || fs::last_write_time(e.path()) >= fs::last_write_time(newest))) newest = e.path();
    std::vector<nlohmann::json> out;
    std::ifstream in(newest);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
}

/// The final record of stage `id` in a ledger.
nlohmann::json final_record(const std::vector<nlohmann::json>& ledger, const std::string& id) {
    nlohmann::json last;
    for (const auto& r : ledger)
        if (r.value("stage", "") == id && r.value("status", "") != "started") last = r;
    return last;
}

TempDir copy_example(const std::string& name) {
    TempDir dir("orrery_graph_cli");
    fs::copy(examples / name, dir.path(), fs::copy_options::recursive);
    fs::remove_all(dir / "build");
    fs::remove_all(dir / ".orrery-runs");
    return dir;
}

}  // namespace

TEST_CASE("docs-refresh: Python and Node stages make schema-checked artifacts, recorded with hashes", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    auto r = graph(dir, {"run", "stage-graph.json"});
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK_THAT(r.err, Catch::Contains("▶ [1/5] collect … done in"));
    CHECK_THAT(r.err, Catch::Contains("publish … skipped (condition false: ${params.publish})"));
    CHECK_THAT(r.err, Catch::Contains("pipeline full-refresh: SUCCEEDED"));
    const auto report = nlohmann::json::parse(slurp(dir / "build" / "report.json"));
    CHECK(report["pages"] == 4);
    CHECK(report["broken_links"] == 0);
    CHECK(report["healthy"] == true);
    const auto ledger = last_ledger(dir);
    const auto collect = final_record(ledger, "collect");
    CHECK(collect["status"] == "succeeded");
    REQUIRE(collect["artifacts"].size() == 1);
    CHECK(collect["artifacts"][0]["sha256"].get<std::string>().size() == 64);
    CHECK(collect["exit_code"] == 0);
    CHECK(fs::exists(collect["log"].get<std::string>()));
    CHECK(final_record(ledger, "publish")["status"] == "skipped");
    CHECK(ledger.front()["record"] == "run");
    CHECK(ledger.back()["event"] == "finish");
    CHECK(ledger.back()["status"] == "SUCCEEDED");
}

TEST_CASE("docs-refresh: a second run is cached, --force reruns, a changed input reruns its stages", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    REQUIRE(graph(dir, {"run", "stage-graph.json"}).rc == 0);
    auto again = graph(dir, {"run", "stage-graph.json"});
    INFO(again.err);
    REQUIRE(again.rc == 0);
    CHECK_THAT(again.err, Catch::Contains("collect … cached"));
    CHECK_THAT(again.err, Catch::Contains("report … cached"));
    CHECK(final_record(last_ledger(dir), "index")["status"] == "cached");
    auto forced = graph(dir, {"run", "stage-graph.json", "--force"});
    CHECK(forced.rc == 0);
    CHECK(final_record(last_ledger(dir), "collect")["status"] == "succeeded");
    // An edited page changes collect's input hash: collect and index (which read the pages) rerun,
    // then links and report because their input artifact changed.
    write(dir / "content" / "new.md", "# New page\n\nSome words for the index.\n");
    auto edited = graph(dir, {"run", "stage-graph.json"});
    CHECK(edited.rc == 0);
    const auto ledger = last_ledger(dir);
    CHECK(final_record(ledger, "collect")["status"] == "succeeded");
    CHECK(final_record(ledger, "index")["status"] == "succeeded");
    CHECK(nlohmann::json::parse(slurp(dir / "build" / "report.json"))["pages"] == 5);
    // A deleted output is not "fresh" any more.
    fs::remove(dir / "build" / "index.json");
    REQUIRE(graph(dir, {"run", "stage-graph.json", "--only", "collect,index"}).rc == 0);
    CHECK(final_record(last_ledger(dir), "collect")["status"] == "cached");
    CHECK(final_record(last_ledger(dir), "index")["status"] == "succeeded");
}

TEST_CASE("docs-refresh: an artifact failing its schema fails the stage with the pointer and a rerun command", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    write(dir / "content" / "quickstart.md", "no title line here\n");
    auto r = graph(dir, {"run", "stage-graph.json"});
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("collect … FAILED"));
    CHECK_THAT(r.err, Catch::Contains("output 'pages' fails its schema pages.schema.json"));
    CHECK_THAT(r.err, Catch::Contains("build/pages.json/pages/3/title: expected string, got null"));
    CHECK_THAT(r.err, Catch::Contains("rerun it: orrery graph run-stage stage-graph.json collect"));
    CHECK_THAT(r.err, Catch::Contains("pipeline full-refresh: FAILED"));
    const auto ledger = last_ledger(dir);
    CHECK(final_record(ledger, "collect")["status"] == "failed");
    CHECK(final_record(ledger, "report")["status"] != "succeeded");
}

TEST_CASE("docs-refresh: --param publish=true runs the conditional stage and its validate hook", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    auto r = graph(dir, {"run", "stage-graph.json", "--param", "publish=true", "--param", "publish_dir=out/site"});
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK(fs::exists(dir / "out" / "site" / "report.json"));
    CHECK(fs::exists(dir / "out" / "site" / "index.json"));
}

TEST_CASE("dry run: the plan with resolved commands and substitutions, nothing executed", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    auto r = graph(dir, {"run", "stage-graph.json", "--dry-run", "--param", "min_term_length=6"});
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK_THAT(r.out, Catch::Contains("dry run: pipeline full-refresh, 5 stages (nothing is executed)"));
    CHECK_THAT(r.out, Catch::Contains((dir / "scripts" / "index.py").string()));
    CHECK_THAT(r.out, Catch::Contains((dir / "build" / "index.json").string() + " 6"));
    CHECK_THAT(r.out, Catch::Contains("when: ${params.publish}"));
    CHECK_FALSE(fs::exists(dir / "build"));
    CHECK_FALSE((fs::exists(dir / ".orrery-runs") && !fs::is_empty(dir / ".orrery-runs")));
}

TEST_CASE("list, describe, validate, dot, schema and logs", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    auto list = graph(dir, {"list", "stage-graph.json"});
    CHECK(list.rc == 0);
    CHECK_THAT(list.out, Catch::Contains("index-only: collect, index"));
    CHECK_THAT(list.out, Catch::Contains("report               node: scripts/report.js  needs collect, links, index"));
    auto stage = graph(dir, {"describe", "stage-graph.json", "index"});
    CHECK_THAT(stage.out, Catch::Contains("retry: 2 attempts"));
    CHECK_THAT(stage.out, Catch::Contains("output index: ${config.build}/index.json  (schema schemas/index.schema.json)"));
    auto pipeline = graph(dir, {"describe", "stage-graph.json", "check"});
    CHECK_THAT(pipeline.out, Catch::Contains("pipeline check: 3 stages in run order"));
    auto typo = graph(dir, {"describe", "stage-graph.json", "indx"});
    CHECK(typo.rc == 2);
    CHECK_THAT(typo.err, Catch::Contains("no stage or pipeline 'indx'") && Catch::Contains("did you mean 'index'"));
    CHECK(graph(dir, {"validate", "stage-graph.json"}).out == "stage-graph.json: valid (5 stages, 3 pipelines)\n");
    auto dot = graph(dir, {"dot", "stage-graph.json"});
    CHECK_THAT(dot.out, Catch::StartsWith("digraph \"docs-refresh\" {") && Catch::Contains("\"collect\" -> \"index\";"));
    auto schema = graph(dir, {"schema"});
    CHECK(nlohmann::json::parse(schema.out)["title"] == "orrery stage-graph file");
    REQUIRE(graph(dir, {"run", "stage-graph.json", "--only", "collect"}).rc == 0);
    auto logs = graph(dir, {"logs", "stage-graph.json"});
    CHECK_THAT(logs.out, Catch::Contains("_full-refresh  SUCCEEDED"));
    auto last = graph(dir, {"logs", "stage-graph.json", "last"});
    CHECK_THAT(last.out, Catch::Contains("collect") && Catch::Contains("succeeded"));
    auto follow = graph(dir, {"logs", "stage-graph.json", "--follow"});  // the last run, which has finished: returns
    CHECK(follow.rc == 0);
    CHECK_THAT(follow.out, Catch::Contains("finish pipeline full-refresh SUCCEEDED"));
    auto json = graph(dir, {"logs", "stage-graph.json", "last", "--json"});
    CHECK(nlohmann::json::parse(json.out.substr(0, json.out.find('\n')))["record"] == "run");
}

namespace {

/// A graph of shell stages: a -> b -> d, and c alone.
const char* const failing_graph = R"(version: 1
name: chain
stages:
  - id: a
    command: sh
    args: [-c, "echo a > a.txt"]
    outputs: {a: a.txt}
  - id: b
    command: sh
    args: [-c, "test -f fixed || { echo 'b is broken' >&2; exit 3; }; cp a.txt b.txt"]
    needs: [a]
    outputs: {b: b.txt}
  - id: c
    command: sh
    args: [-c, "sleep 0.2; echo c > c.txt"]
    outputs: {c: c.txt}
  - id: d
    command: sh
    args: [-c, "cat ${stages.b.outputs.b} > d.txt"]
    outputs: {d: d.txt}
)";

}  // namespace

TEST_CASE("continue-on-error: a degraded run, dependants skipped, the rest done, non-zero exit", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "g.yaml", failing_graph);
    auto fast = graph(dir, {"run", "g.yaml", "--jobs", "1"});
    CHECK(fast.rc == 1);
    CHECK_THAT(fast.err, Catch::Contains("stage 'b' failed with exit code 3: exit code 3"));
    CHECK_THAT(fast.err, Catch::Contains("log: " + (dir / ".orrery-runs").string()));
    CHECK(slurp(final_record(last_ledger(dir), "b")["log"].get<std::string>()).find("b is broken") != std::string::npos);
    auto r = graph(dir, {"run", "g.yaml", "--continue-on-error", "--force"});
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("pipeline full-refresh: DEGRADED"));
    const auto ledger = last_ledger(dir);
    CHECK(final_record(ledger, "b")["exit_code"] == 3);
    CHECK(final_record(ledger, "c")["status"] == "succeeded");
    CHECK(final_record(ledger, "d")["status"] == "skipped");
    CHECK(fs::exists(dir / "c.txt"));
    CHECK_FALSE(fs::exists(dir / "d.txt"));
}

TEST_CASE("resume: --resume reruns only what failed or never ran", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "g.yaml", failing_graph);
    auto first = graph(dir, {"run", "g.yaml", "--jobs", "1"});
    REQUIRE(first.rc == 1);
    const std::string run_id = last_ledger(dir).front()["run_id"];
    CHECK_THAT(first.err, Catch::Contains("--resume " + run_id));
    write(dir / "fixed", "");
    fs::remove(dir / "a.txt");  // a is done in that run: resume must not rerun it (its output is not needed by the check)
    write(dir / "a.txt", "a\n");
    auto resumed = graph(dir, {"run", "g.yaml", "--resume", run_id});
    INFO(resumed.err);
    REQUIRE(resumed.rc == 0);
    CHECK_THAT(resumed.err, Catch::Contains("a … done before (resumed)"));
    const auto ledger = last_ledger(dir);
    CHECK(ledger.front()["run_id"] == run_id);  // the same ledger, appended
    CHECK(final_record(ledger, "a")["status"] == "resumed");
    CHECK(final_record(ledger, "b")["status"] == "succeeded");
    CHECK(final_record(ledger, "d")["status"] == "succeeded");
    CHECK(graph(dir, {"run", "g.yaml", "--resume", "nonexistent"}).rc == 2);
}

TEST_CASE("selection flags: --only, --skip, --from, --to and their contradictions", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "g.yaml", failing_graph);
    write(dir / "fixed", "");
    auto to = graph(dir, {"run", "g.yaml", "--to", "b"});
    CHECK(to.rc == 0);
    CHECK(fs::exists(dir / "b.txt"));
    CHECK_FALSE(fs::exists(dir / "c.txt"));
    auto from = graph(dir, {"run", "g.yaml", "--from", "b", "--skip", "d"});
    CHECK(from.rc == 0);
    CHECK_FALSE(fs::exists(dir / "d.txt"));
    auto only = graph(dir, {"run-stage", "g.yaml", "d"});
    CHECK(only.rc == 0);
    CHECK(slurp(dir / "d.txt") == "a\n");
    const auto usage = [&](std::vector<std::string> args, const std::string& message) {
        auto r = graph(dir, std::move(args));
        CHECK(r.rc == 2);
        CHECK_THAT(r.err, Catch::Contains(message));
    };
    usage({"run", "g.yaml", "--only", "a", "--from", "a"}, "--only cannot be combined with --from or --to");
    usage({"run", "g.yaml", "--only", "b", "--skip", "b"}, "stage 'b' is both in --only and in --skip");
    usage({"run", "g.yaml", "--from", "d", "--to", "a"}, "--to a does not come after --from d");
    usage({"run", "g.yaml", "--only", "e"}, "--only: unknown stage 'e'");
    usage({"run", "g.yaml", "--jobs", "0"}, "--jobs: expected a positive whole number");
    usage({"run", "g.yaml", "--dryrun"}, "unknown option '--dryrun' (did you mean '--dry-run'?)");
    usage({"run", "g.yaml", "nightly"}, "unknown pipeline 'nightly'");
    usage({"run", "g.yaml", "--param", "x=1"}, "--param x: the graph file declares no parameter or config key 'x'");
}

TEST_CASE("command stages: python, node and shell exit codes, env, --env-file, cwd", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "tools" / "show.py", "import os, sys\nprint(os.environ['GREETING'], os.getcwd())\nsys.exit(int(sys.argv[1]))\n");
    write(dir / "tools" / "show.js", "console.log(process.env.GREETING + ' ' + process.cwd());\nprocess.exit(Number(process.argv[2]));\n");
    write(dir / "tools" / "show.sh", "echo \"$GREETING $(pwd) $SECRET\"\nexit \"$1\"\n");
    write(dir / ".env", "# test variables\nexport SECRET='from env file'\n");
    write(dir / "g.yaml", R"(version: 1
params:
  code: 0
env:
  GREETING: hello
stages:
  - {id: py, command: tools/show.py, args: ["${params.code}"], cwd: tools}
  - {id: js, command: tools/show.js, args: ["${params.code}"], env: {GREETING: "${env.SECRET}"}}
  - {id: sh, command: tools/show.sh, runtime: shell, args: ["${params.code}"]}
)");
    auto ok = graph(dir, {"run", "g.yaml", "--env-file", ".env"});
    INFO(ok.err);
    REQUIRE(ok.rc == 0);
    const auto runs = dir / ".orrery-runs" / last_ledger(dir).front()["run_id"].get<std::string>();
    CHECK(slurp(runs / "py.log") == "hello " + (dir / "tools").string() + "\n");
    CHECK(slurp(runs / "js.log") == "from env file " + dir.path().string() + "\n");
    CHECK(slurp(runs / "sh.log") == "hello " + dir.path().string() + " from env file\n");
    // Values read from the environment are recorded as written, never resolved into the ledger.
    CHECK(final_record(last_ledger(dir), "js")["resolved"]["env"]["GREETING"] == "${env.SECRET}");
    CHECK(slurp(dir / ".orrery-runs" / (runs.filename().string() + ".jsonl")).find("from env file") == std::string::npos);
    auto failing = graph(dir, {"run", "g.yaml", "--env-file", ".env", "--param", "code=4", "--continue-on-error"});
    CHECK(failing.rc == 1);
    for (const char* id : {"py", "js", "sh"}) CHECK_THAT(failing.err, Catch::Contains("stage '" + std::string(id) + "' failed with exit code 4"));
    auto missing = graph(dir, {"run", "g.yaml"});  // ${env.SECRET} without the env file
    CHECK(missing.rc == 1);
    CHECK_THAT(missing.err, Catch::Contains("${env.SECRET}: environment variable SECRET is not set"));
    auto bad_env = graph(dir, {"run", "g.yaml", "--env-file", "g.yaml"});
    CHECK(bad_env.rc == 2);
    CHECK_THAT(bad_env.err, Catch::Contains("g.yaml:1"));
}

TEST_CASE("a timeout ends the stage's whole process tree; retries make new attempts", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "g.yaml", R"(version: 1
stages:
  - id: hang
    command: sh
    args: [-c, "sleep 30 & echo $! > grandchild.pid; wait"]
    timeout: 300ms
  - id: flaky
    command: sh
    args: [-c, "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; test $n -ge 1"]
    retry: {max_attempts: 3, initial_backoff: 10ms}
)");
    auto r = graph(dir, {"run", "g.yaml", "--continue-on-error"});
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Catch::Contains("hang … FAILED") && Catch::Contains("timed out after 0.3 s"));
    const pid_t grandchild = std::stoi(slurp(dir / "grandchild.pid"));
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
        // Gone, or a zombie nobody reaps (the container's init may not): either way not running.
        const std::string stat = slurp("/proc/" + std::to_string(grandchild) + "/stat");
        gone = ::kill(grandchild, 0) != 0 || stat.find(") Z ") != std::string::npos;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(gone);
    const auto flaky = final_record(last_ledger(dir), "flaky");
    CHECK(flaky["status"] == "succeeded");
    CHECK(flaky["attempt"] == 2);
    CHECK_THAT(r.err, Catch::Contains("flaky … done in") && Catch::Contains("(attempt 2)"));
}

TEST_CASE("configuration precedence end to end: --param > graph file > orrery.yaml > ORRERY_ environment", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "orrery.yaml", "config:\n  a: global\n  b: global\n  c: global\n");
    write(dir / "g.yaml", R"(version: 1
config: {a: file, b: file}
stages:
  - id: show
    command: sh
    args: [-c, "echo ${config.a} ${config.b} ${config.c} ${config.d} > out.txt"]
)");
    auto r = graph(dir, {"run", "g.yaml", "--param", "a=param"}, {{"ORRERY_D", "environment"}, {"ORRERY_C", "environment"}});
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK(slurp(dir / "out.txt") == "param file global environment\n");
    auto unset = graph(dir, {"run", "g.yaml", "--force"});
    CHECK(unset.rc == 1);
    CHECK_THAT(unset.err, Catch::Contains("unknown reference ${config.d}: no layer sets config 'd'"));
}

TEST_CASE("bad graph files: one line per problem with file:line, exit 2, nothing run", "[workflow][cli]") {
    const TempDir dir("orrery_graph_cli");
    write(dir / "bad.yaml", R"(version: 1
stages:
  - id: a
    command: sh
    args: [-c, "touch ran"]
    retyr: {max_attempts: 2}
  - id: b
    command: sh
    needs: [a, zz]
  - id: c
    step: no_such_step
)");
    auto r = graph(dir, {"run", "bad.yaml"});
    CHECK(r.rc == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.yaml:6: unknown key 'retyr' (did you mean 'retry'?)"));
    CHECK_FALSE(fs::exists(dir / "ran"));
    write(dir / "refs.yaml", R"(version: 1
stages:
  - id: a
    command: sh
    args: ["${stages.b.outputs.x}", "${params.nope}"]
    needs: [zz]
  - id: b
    command: sh
    needs: [a]
    outputs: {y: y.txt}
)");
    auto refs = graph(dir, {"validate", "refs.yaml"});
    CHECK(refs.rc == 2);
    CHECK_THAT(refs.err, Catch::Contains("refs.yaml:5: reference ${stages.b.outputs.x}: stage 'b' has no output 'x'"));
    CHECK_THAT(refs.err, Catch::Contains("refs.yaml:5: unknown parameter in ${params.nope}"));
    CHECK_THAT(refs.err, Catch::Contains("refs.yaml:6: unknown stage 'zz'"));
    write(dir / "cycle.yaml", "version: 1\nstages:\n  - {id: a, command: sh, needs: [b]}\n  - {id: b, command: sh, needs: [a]}\n");
    auto cycle = graph(dir, {"validate", "cycle.yaml"});
    CHECK(cycle.rc == 2);
    CHECK_THAT(cycle.err, Catch::Contains("cycle.yaml:") && Catch::Contains("cycle: a -> b -> a"));
    CHECK(graph(dir, {"validate", "missing.yaml"}).rc == 2);
}

TEST_CASE("jwst-batch: calwebb_detector1 stages from the registry on three exposures, then a Python summary", "[workflow][cli][jwst]") {
    const auto dir = copy_example("jwst-batch");
    const std::string simulate = std::string(ORRERY_BINARY_DIR) + "/bin/orrery-simulate";
    auto r = graph(dir, {"run", "jwst-batch.yaml", "--param", "simulate=" + simulate, "--param", "size=64x64"});
    INFO(r.err);
    REQUIRE(r.rc == 0);
    const auto summary = nlohmann::json::parse(slurp(dir / "build" / "jwst-batch" / "summary.json"));
    REQUIRE(summary["count"] == 3);
    for (const auto& p : summary["products"]) {
        CHECK(p["pixels"] == 64 * 64);
        CHECK(p["median_rate"].get<double>() > 0);
    }
    // The graph's product is the one `orrery strun` makes from the same file, byte for byte.
    const auto work = dir / "build" / "jwst-batch";
    auto strun = run_program(orrery_exe,
                             {"strun", "calwebb_detector1", (work / "expb_uncal.fits").string(), "--ref-dir", (work / "ref").string(), "--output_dir",
                              (work / "strun").string(), "--steps.ipc.skip=true", "--no-progress"},
                             dir);
    REQUIRE(strun.rc == 0);
    CHECK(slurp(work / "strun" / "expb_rate.fits") == slurp(work / "rate" / "expb_rate.fits"));
    // A second run is cached end to end; only the calibration pipeline can be asked for.
    auto again = graph(dir, {"run", "jwst-batch.yaml", "calibrate", "--param", "simulate=" + simulate, "--param", "size=64x64"});
    CHECK(again.rc == 0);
    CHECK_THAT(again.err, Catch::Contains("detector1_b … cached"));
}

TEST_CASE("release: the workflow type on a real git repository, through orrery graph run", "[workflow][cli][release]") {
    const TempDir scratch("orrery_graph_release");
    const fs::path repo = scratch / "repo";
    fs::create_directories(repo);
    const std::map<std::string, std::string> env = {{"HOME", scratch.path().string()}, {"GIT_CONFIG_NOSYSTEM", "1"},
                                                    {"XDG_CONFIG_HOME", (scratch / "xdg").string()}, {"GIT_CEILING_DIRECTORIES", scratch.path().string()}};
    const auto git = [&](std::vector<std::string> args, const fs::path& where) {
        auto r = run_program("/usr/bin/git", std::move(args), where, env);
        INFO(r.err);
        REQUIRE(r.rc == 0);
        return r.out;
    };
    git({"init", "-q", "--bare", (scratch / "remote.git").string()}, scratch.path());
    git({"init", "-q", "-b", "main", "."}, repo);
    write(repo / "VERSION", "1.2.3\n");
    write(repo / "README.md", "# Demo\n\nVersion: 1.2.3\n");
    git({"add", "VERSION", "README.md"}, repo);
    git({"-c", "user.name=Me", "-c", "user.email=me@example.org", "commit", "-qm", "Initial commit"}, repo);
    git({"remote", "add", "origin", (scratch / "remote.git").string()}, repo);
    fs::copy_file(examples / "release" / "release.yaml", repo / "release.yaml");

    auto validate = run_program(orrery_exe, {"graph", "validate", "release.yaml"}, repo, env);
    INFO(validate.err);
    CHECK(validate.rc == 0);
    auto plan = run_program(orrery_exe, {"graph", "run", "--dry-run", "release.yaml"}, repo, env);
    CHECK(plan.rc == 0);
    CHECK_THAT(plan.out, Catch::Contains("bump_version") && Catch::Contains("git_push") && Catch::Contains("announce"));
    CHECK(slurp(repo / "VERSION") == "1.2.3\n");  // the dry run changed nothing

    auto r = run_program(orrery_exe, {"graph", "run", "release.yaml"}, repo, env);
    INFO(r.err);
    REQUIRE(r.rc == 0);
    CHECK(slurp(repo / "VERSION") == "1.3.0\n");
    CHECK_THAT(slurp(repo / "CHANGELOG.md"), Catch::Contains("## 1.3.0") && Catch::Contains("Initial commit"));
    CHECK_THAT(slurp(repo / "README.md"), Catch::Contains("Version: 1.3.0"));
    CHECK_THAT(git({"log", "--format=%s|%an", "-1"}, repo), Catch::StartsWith("Release 1.3.0|Release Bot"));
    CHECK(git({"cat-file", "-t", "v1.3.0"}, repo) == "tag\n");
    CHECK_THAT(git({"ls-remote", (scratch / "remote.git").string()}, repo), Catch::Contains("refs/tags/v1.3.0") && Catch::Contains("refs/heads/main"));
    // ${adapter.git.head} is read when the stage runs: the release commit.
    const std::string run_id = last_ledger(repo).front()["run_id"];
    CHECK(slurp(repo / ".orrery-runs" / run_id / "announce.log") == "released 1.3.0 as " + git({"rev-parse", "HEAD"}, repo));

    // A validator that fails stops the release before anything is committed.
    const std::string head = git({"rev-parse", "HEAD"}, repo);
    std::string yaml = slurp(repo / "release.yaml");
    yaml.replace(yaml.find("      - 'test -s VERSION'"), std::string("      - 'test -s VERSION'").size(), "      - 'false'");
    write(repo / "release.yaml", yaml);
    auto failing = run_program(orrery_exe, {"graph", "run", "release.yaml", "--force"}, repo, env);
    CHECK(failing.rc == 1);
    CHECK_THAT(failing.err, Catch::Contains("validators … FAILED"));
    CHECK(git({"rev-parse", "HEAD"}, repo) == head);
    CHECK(git({"tag"}, repo) == "v1.3.0\n");
}

TEST_CASE("doctor: interpreters, programs, required environment, run directory", "[workflow][cli]") {
    const auto dir = copy_example("docs-refresh");
    auto ok = graph(dir, {"doctor", "stage-graph.json"});
    INFO(ok.out);
    CHECK(ok.rc == 0);
    CHECK_THAT(ok.out, Catch::Contains("ok    python: ") && Catch::Contains("ok    node: ") && Catch::Contains("ok    git: "));
    CHECK_THAT(ok.out, Catch::Contains((dir / ".orrery-runs").string() + " is writable"));
    CHECK_THAT(ok.out, Catch::Contains("no problems found"));
    write(dir / "needs.yaml", "version: 1\nrequires: {env: [ORRERY_TEST_TOKEN], programs: [no-such-program-xyz]}\nstages:\n  - {id: a, command: sh}\n");
    auto missing = graph(dir, {"doctor", "needs.yaml"});
    CHECK(missing.rc == 2);
    CHECK_THAT(missing.out, Catch::Contains("FAIL  no-such-program-xyz: not on PATH") && Catch::Contains("FAIL  ORRERY_TEST_TOKEN is not set"));
    auto run = graph(dir, {"run", "needs.yaml"});
    CHECK(run.rc == 2);
    CHECK_THAT(run.err, Catch::Contains("needs.yaml:2: environment variable ORRERY_TEST_TOKEN is required"));
}
