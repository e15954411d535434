// Loading and running graph files through the library (no command line): step
// handlers with resolved artifacts and parameter checks, optional stages, conditions,
// workflow-type stages replaced by id, and what the loader refuses.
#include "../support/temp_dir.hpp"

#include "orrery/core/register.hpp"
#include "orrery/workflow/graph_file_loader.hpp"
#include "orrery/workflow/graph_runner.hpp"
#include "orrery/workflow/release_workflow.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace orrery::workflow;
using orrery::test::TempDir;
namespace fs = std::filesystem;

namespace gr_test {

struct WriteParams {
    std::string text = "hello";
    int repeat = 1;
    bool fail = false;
    ORRERY_REFLECT(WriteParams, (text, "What to write"), (repeat, "How many lines", orrery::min(1), orrery::max(100)), (fail, "Throw instead"))
};

/// Writes `text` `repeat` times to its output 'out', after reading its input 'in' if any.
struct Write {
    static constexpr std::string_view name = "gr_write";
    static constexpr std::string_view class_name = "gr_test.Write";
    static constexpr std::string_view description = "Write text to the stage's output";
    using Params = WriteParams;
    static StageArtifacts process(StageRequest request, const Params& p, orrery::Context&) {
        if (p.fail) throw std::runtime_error("asked to fail");
        std::string prefix;
        if (auto in = request.inputs.find("in"); in != request.inputs.end()) {
            std::ifstream f(in->second);
            std::getline(f, prefix);
        }
        std::ofstream out(request.outputs.at("out"));
        for (int i = 0; i < p.repeat; ++i) out << prefix << p.text << "\n";
        return {{{"out", request.outputs.at("out")}}, "wrote " + std::to_string(p.repeat) + " line(s)"};
    }
};

struct Doubler {
    static constexpr std::string_view name = "gr_doubler";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return 2 * x; }
};

}  // namespace gr_test

ORRERY_REGISTER_STEP(gr_test::Write)
ORRERY_REGISTER_STEP(gr_test::Doubler)

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

GraphRunReport run(const GraphFile& g, GraphRunOptions o = {}) {
    o.global_config = false;
    orrery::Context ctx;
    return run_graph_file(g, o, ctx);
}

}  // namespace

TEST_CASE("handler stages get their resolved artifacts and parameters", "[workflow][runner]") {
    const TempDir dir("orrery_graph_runner");
    const auto g = parse_graph_file(R"(version: 1
params: {greeting: hi}
stages:
  - id: first
    step: gr_write
    parameters: {text: "${params.greeting}", repeat: 2}
    outputs: {out: first.txt}
  - id: second
    step: gr_write
    inputs: {in: "${stages.first.outputs.out}"}
    parameters: {text: " again"}
    outputs: {out: out/second.txt}
  - id: broken
    step: gr_write
    parameters: {fail: true}
    outputs: {out: never.txt}
    optional: true
)",
                                    dir / "g.yaml");
    CHECK(g.find_stage("second")->dependencies() == std::vector<std::string>{"first"});
    const auto report = run(g, {.selection = {}, .params = {{"greeting", "hey"}}, .continue_on_error = true});
    CHECK(read(dir / "first.txt") == "hey\nhey\n");
    CHECK(read(dir / "out" / "second.txt") == "hey again\n");
    REQUIRE(report.stages.size() == 3);
    const auto broken = std::find_if(report.stages.begin(), report.stages.end(), [](const auto& s) { return s.id == "broken"; });
    CHECK(broken->status == "failed");
    CHECK(broken->message == "step 'gr_write': asked to fail");
    CHECK(report.status == orrery::GraphStatus::degraded);
    CHECK(report.ok());  // an optional stage's failure does not fail the run
}

TEST_CASE("the loader checks step stages: names, parameters, bounds, input types", "[workflow][loader]") {
    const TempDir dir("orrery_graph_runner");
    const auto problems = [&](const std::string& stage) {
        try {
            (void)parse_graph_file("version: 1\nstages:\n" + stage, dir / "g.yaml");
        } catch (const orrery::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(problems("  - {id: a, step: gr_writ}\n"), Catch::Contains("g.yaml:3: unknown step 'gr_writ'"));
    CHECK_THAT(problems("  - {id: a, step: gr_write, parameters: {txt: x}}\n"),
               Catch::Contains("g.yaml:3: step 'gr_write': parameter 'txt': unknown (did you mean 'text'?)"));
    CHECK_THAT(problems("  - {id: a, step: gr_write, parameters: {repeat: 1000}}\n"), Catch::Contains("parameter 'repeat'"));
    CHECK_THAT(problems("  - {id: a, step: gr_write, parameters: {repeat: many}}\n"), Catch::Contains("parameter 'repeat': expected integer"));
    CHECK_THAT(problems("  - {id: a, step: gr_doubler}\n"), Catch::Contains("step 'gr_doubler' takes int, which a graph file cannot give"));
    CHECK_THAT(problems("  - {id: a, step: gr_write, command: x}\n"), Catch::Contains("g.yaml:3"));
    CHECK_THAT(problems("  - {id: a, command: sh, when: 'true', condition: 'true'}\n"), Catch::Contains("give 'when' or 'condition', not both"));
    CHECK_THAT(problems("  - {id: a, command: sh, when: '${params.x} =='}\n"), Catch::Contains("condition '${params.x} =='"));
    CHECK_THAT(problems("  - {id: a, command: sh, timeout: 5 minutes}\n"), Catch::Contains("g.yaml:3"));
    CHECK_THAT(problems("  - {id: input, command: sh}\n"), Catch::Contains("'input' is reserved"));
    CHECK_THAT(problems("  - {id: a, command: sh}\n  - {id: a, command: sh}\n"), Catch::Contains("g.yaml:4: duplicate stage id 'a'"));
    CHECK_THAT(problems("  - {id: a, command: sh, args: ['${adapter.git.head}']}\n"), Catch::Contains("names an adapter not configured under 'adapters'"));
    CHECK(problems("  - {id: a, command: sh, args: ['$${literal}']}\n") == "no error");
}

TEST_CASE("conditions read parameters and configuration when the stage would run", "[workflow][runner]") {
    const TempDir dir("orrery_graph_runner");
    const auto g = parse_graph_file(R"(version: 1
params: {mode: fast}
config: {deep: {enabled: yes}}
stages:
  - {id: fast, step: gr_write, outputs: {out: fast.txt}, when: "${params.mode} == fast"}
  - {id: slow, step: gr_write, outputs: {out: slow.txt}, condition: "${params.mode} == slow"}
  - {id: deep, step: gr_write, outputs: {out: deep.txt}, when: "${config.deep.enabled} and not exists ${stages.fast.outputs.out}"}
)",
                                    dir / "g.yaml");
    auto report = run(g);
    CHECK(fs::exists(dir / "fast.txt"));
    CHECK_FALSE(fs::exists(dir / "slow.txt"));
    CHECK(report.ok());
    report = run(g, {.selection = {}, .params = {{"mode", "slow"}}, .force = true});
    CHECK(fs::exists(dir / "slow.txt"));
    CHECK_FALSE(fs::exists(dir / "deep.txt"));  // fast.txt exists from the first run
}

TEST_CASE("a workflow type's stages come first and a file stage with the same id replaces one", "[workflow][loader]") {
    const TempDir dir("orrery_graph_runner");
    // git must not find a repository above the scratch directory (the build tree may be in one).
    ::setenv("GIT_CEILING_DIRECTORIES", dir.path().parent_path().string().c_str(), 1);
    ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    std::ofstream(dir / "VERSION") << "0.1.0\n";
    std::ofstream(dir / "README.md") << "Version: 0.1.0\n";
    const std::string file = "version: 1\nworkflow: release\nadapters: {git: {repo: ., author_name: T, author_email: t@example.org}, filesystem: {root: .}}\n"
                             "stages:\n  - {id: validators, command: sh, args: [-c, 'test -s VERSION']}\n  - {id: notify, command: sh, needs: [git_tag]}\n";
    // Not a git repository yet: the release type's rules refuse, at the `workflow` line.
    CHECK_THROWS_WITH(parse_graph_file(file, dir / "r.yaml"), Catch::Contains("r.yaml:2"));
    const auto git = [&](const std::string& args) {
        REQUIRE(std::system(("cd '" + dir.path().string() + "' && git " + args + " >/dev/null 2>&1").c_str()) == 0);
    };
    git("init -q -b main .");
    git("add VERSION README.md");
    git("-c user.name=T -c user.email=t@example.org commit -qm initial");
    const auto g = parse_graph_file(file, dir / "r.yaml");
    std::vector<std::string> ids;
    for (const auto& s : g.stages) ids.push_back(s.id + (s.from_workflow ? "" : "*"));
    CHECK(ids == std::vector<std::string>{"bump_version", "changelog", "readme_version", "git_commit", "git_tag", "validators*", "notify*"});
    CHECK(g.find_stage("validators")->is_command());
    CHECK(g.find_stage("bump_version")->step == "release_bump_version");
    CHECK(g.where(g.find_stage("notify")->pointer) == (dir / "r.yaml").string() + ":6");  // lines survive the type's stages
    CHECK_THROWS_WITH(parse_graph_file("version: 1\nworkflow: relase\nstages: []\n", dir / "t.yaml"),
                      Catch::Contains("t.yaml:2: unknown workflow type 'relase' (did you mean 'release'?)"));
    ::unsetenv("GIT_CEILING_DIRECTORIES");
}
