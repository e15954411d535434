// Cache and resume decisions from real ledgers and real files.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "../support/temp_dir.hpp"
#include "orrery/workflow/stage_cache.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace orrery::workflow;

namespace {

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

/// One stage of a docs pipeline: `python3 summarise.py in.json out.json`.
struct Fixture {
    orrery::test::TempDir dir{"orrery_stage_cache"};
    fs::path runs = dir / ".orrery-runs";
    fs::path input = dir / "in.json";
    fs::path output = dir / "out.json";
    json stage = {{"command", "python3"}, {"args", {"summarise.py", "in.json", "out.json"}}, {"env", {{"LEVEL", "2"}}}, {"cwd", "."}, {"runtime", "python"}};
    std::vector<std::pair<std::string, fs::path>> outputs{{"summary", output}};

    Fixture() {
        write(input, R"({"pages": 3})");
        write(output, R"({"count": 3})");
    }

    [[nodiscard]] std::string fingerprint() const { return stage_fingerprint(stage, {hash_artifact("pages", input)}); }

    /// A run in which the stage succeeds with the current files.
    std::string record_success(const std::string& stage_id = "summarise") const {
        auto ledger = RunLedger::create(runs, "docs");
        ledger.write({{"record", "run"}, {"event", "start"}, {"pipeline", "docs"}});
        ledger.write({{"record", "stage"}, {"stage", stage_id}, {"status", "started"}});
        ledger.write({{"record", "stage"}, {"stage", stage_id}, {"status", "succeeded"}, {"fingerprint", fingerprint()},
                      {"artifacts", json::array({hash_artifact("summary", output).to_json()})}});
        ledger.write({{"record", "run"}, {"event", "finish"}, {"status", "succeeded"}});
        return ledger.run_id();
    }
};

}  // namespace

TEST_CASE("stage_fingerprint is canonical and covers the stage and its inputs", "[workflow][cache]") {
    const json a = json::parse(R"({"command": "node", "args": ["x.js"], "env": {"A": "1", "B": "2"}})");
    const json b = json::parse(R"({"env": {"B": "2", "A": "1"}, "args": ["x.js"], "command": "node"})");
    const ArtifactRecord in1{"one", "1.json", std::string(64, '1'), 5, false};
    const ArtifactRecord in2{"two", "2.json", std::string(64, '2'), 5, false};
    const auto fp = stage_fingerprint(a, {in1, in2});
    CHECK(fp.size() == 64);
    CHECK(stage_fingerprint(b, {in2, in1}) == fp);  // key order and input order do not matter
    CHECK(stage_fingerprint(a, {in1}) != fp);
    auto changed = in2;
    changed.sha256 = std::string(64, '3');
    CHECK(stage_fingerprint(a, {in1, changed}) != fp);
    json c = a;
    c["args"].push_back("--fast");
    CHECK(stage_fingerprint(c, {in1, in2}) != fp);
    CHECK(stage_fingerprint(json::parse(R"({"step": "jump", "parameters": {"threshold": 4.0}})"), {}) !=
          stage_fingerprint(json::parse(R"({"step": "jump", "parameters": {"threshold": 4.5}})"), {}));
}

TEST_CASE("a stage is fresh only while its fingerprint and outputs match its last success", "[workflow][cache]") {
    Fixture f;
    CHECK(StageCache::load(f.runs).stale_reason("summarise", f.fingerprint(), f.outputs) == "no earlier success");
    const auto run_id = f.record_success();
    const auto cache = StageCache::load(f.runs);
    REQUIRE(cache.last_success("summarise") != nullptr);
    CHECK(cache.last_success("summarise")->run_id == run_id);
    CHECK(cache.problems().empty());

    SECTION("unchanged: fresh") {
        CHECK(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
        CHECK_FALSE(cache.is_fresh("other-stage", f.fingerprint(), f.outputs));
    }
    SECTION("a parameter changed") {
        f.stage["env"]["LEVEL"] = "3";
        CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
        CHECK_THAT(*cache.stale_reason("summarise", f.fingerprint(), f.outputs), Catch::Contains("changed since run " + run_id));
    }
    SECTION("an input changed") {
        write(f.input, R"({"pages": 4})");
        CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
    }
    SECTION("an output was deleted") {
        fs::remove(f.output);
        CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
        CHECK_THAT(*cache.stale_reason("summarise", f.fingerprint(), f.outputs), Catch::Contains("'summary'") && Catch::Contains("missing"));
    }
    SECTION("an output was modified, same size") {
        write(f.output, R"({"count": 4})");
        CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
    }
    SECTION("an output was modified, other size") {
        write(f.output, R"({"count": 42})");
        CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
    }
    SECTION("a declared output the last success did not record") {
        auto more = f.outputs;
        more.emplace_back("extra", f.input);
        CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), more));
    }
}

TEST_CASE("the last success across runs counts; failures do not erase it", "[workflow][cache]") {
    Fixture f;
    f.record_success();
    // A later run with other parameters succeeds, then a third run fails.
    f.stage["env"]["LEVEL"] = "9";
    write(f.output, R"({"count": 9})");
    const auto second = f.record_success();
    {
        auto ledger = RunLedger::create(f.runs, "docs-later");
        ledger.write({{"record", "stage"}, {"stage", "summarise"}, {"status", "failed"}, {"fingerprint", "0123"}, {"exit_code", 1}});
    }
    const auto cache = StageCache::load(f.runs);
    REQUIRE(cache.last_success("summarise") != nullptr);
    CHECK(cache.last_success("summarise")->run_id == second);
    CHECK(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
    f.stage["env"]["LEVEL"] = "2";  // back to the first run's parameters: that success is no longer the last
    CHECK_FALSE(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
}

TEST_CASE("a corrupt ledger does not stop the cache, it is reported", "[workflow][cache]") {
    Fixture f;
    f.record_success();
    write(f.runs / "20000101T000000Z_broken.jsonl", "{}\nnot json\n{}\n");
    const auto cache = StageCache::load(f.runs);
    CHECK(cache.is_fresh("summarise", f.fingerprint(), f.outputs));
    REQUIRE(cache.problems().size() == 1);
    CHECK_THAT(cache.problems()[0], Catch::Contains("20000101T000000Z_broken.jsonl:2:"));
    CHECK(StageCache::load(f.dir / "no-runs-yet").last_success("summarise") == nullptr);
}

TEST_CASE("stages_done: what --resume skips", "[workflow][cache]") {
    const auto stage = [](const std::string& id, const std::string& status) { return json{{"record", "stage"}, {"stage", id}, {"status", status}}; };
    const std::vector<json> records = {
        {{"record", "run"}, {"event", "start"}, {"status", "running"}},
        stage("fetch", "started"), stage("fetch", "succeeded"),
        stage("parse", "started"), stage("parse", "failed"),
        stage("render", "cached"),
        stage("lint", "started"), stage("lint", "failed"), stage("lint", "started"), stage("lint", "succeeded"),
        stage("publish", "started"),  // killed while running
        stage("notify", "skipped"),
        stage("index", "resumed"),
        stage("fetch", "started"),  // a later attempt in this run, not finished: not done
        {{"record", "run"}, {"event", "finish"}, {"status", "failed"}},
    };
    CHECK(stages_done(records) == std::set<std::string>{"index", "lint", "render"});
    CHECK(stages_done({}).empty());
}
