// The run ledger: JSON lines written durably from many threads, read back
// tolerating a killed run's last line, listed and found by id or "last".

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../support/temp_dir.hpp"
#include "orrery/workflow/run_ledger.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace orrery::workflow;

namespace {

std::chrono::system_clock::time_point at(int hour, int minute, int second) {
    // 2026-12-03 is day 20790 after the epoch.
    return std::chrono::system_clock::time_point(std::chrono::seconds(20790LL * 86400 + hour * 3600 + minute * 60 + second));
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append_raw(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::app) << text; }

json stage(const std::string& id, const std::string& status) { return {{"record", "stage"}, {"stage", id}, {"status", status}}; }

}  // namespace

TEST_CASE("a ledger is named by UTC start time and pipeline, and records read back in order", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    const auto runs = dir / ".orrery-runs";
    auto ledger = RunLedger::create(runs, "full-refresh", at(14, 5, 9));
    CHECK(ledger.run_id() == "20261203T140509Z_full-refresh");
    CHECK(ledger.path() == runs / "20261203T140509Z_full-refresh.jsonl");
    CHECK(fs::exists(ledger.path()));

    ledger.write({{"record", "run"}, {"event", "start"}, {"pipeline", "full-refresh"}, {"graph_file", "g.yaml"}});
    json done = stage("parse", "succeeded");
    done["duration_ms"] = 1200;
    done["artifacts"] = json::array({{{"name", "out"}, {"path", "out.json"}, {"sha256", std::string(64, 'a')}, {"bytes", 10}}});
    ledger.write(done);
    ledger.write({{"record", "stage"}, {"stage", "x"}, {"status", "failed"}, {"time", "2000-01-01T00:00:00.000Z"}});

    const std::string text = slurp(ledger.path());
    CHECK(std::count(text.begin(), text.end(), '\n') == 3);
    const auto records = read_ledger(ledger.path());
    REQUIRE(records.size() == 3);
    CHECK(records[0].at("event") == "start");
    CHECK(records[1].at("artifacts")[0].at("bytes") == 10);
    CHECK(records[1].at("duration_ms") == 1200);
    CHECK(std::regex_match(records[0].at("time").get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    CHECK(records[2].at("time") == "2000-01-01T00:00:00.000Z");  // a given time is kept

    CHECK_THROWS_AS(ledger.write(json::array({1})), orrery::InternalError);
}

TEST_CASE("a second run of the same pipeline in the same second gets -2, -3", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    const auto a = RunLedger::create(dir, "ci", at(1, 2, 3));
    const auto b = RunLedger::create(dir, "ci", at(1, 2, 3));
    const auto c = RunLedger::create(dir, "ci", at(1, 2, 3));
    CHECK(a.run_id() == "20261203T010203Z_ci");
    CHECK(b.run_id() == "20261203T010203Z_ci-2");
    CHECK(c.run_id() == "20261203T010203Z_ci-3");
    CHECK(RunLedger::create(dir, "docs refresh/../x", at(1, 2, 3)).run_id() == "20261203T010203Z_docs_refresh_.._x");
}

TEST_CASE("concurrent writes from 4 threads give whole lines", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    auto ledger = RunLedger::create(dir, "parallel");
    constexpr int per_thread = 150;
    const std::string padding(300, 'p');  // long lines: a torn write would show
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&ledger, &padding, t] {
            for (int i = 0; i < per_thread; ++i)
                ledger.write({{"record", "stage"}, {"stage", "s" + std::to_string(t)}, {"status", "started"}, {"attempt", i}, {"message", padding}});
        });
    for (auto& th : threads) th.join();

    const std::string text = slurp(ledger.path());
    CHECK(std::count(text.begin(), text.end(), '\n') == 4 * per_thread);
    const auto records = read_ledger(ledger.path());
    REQUIRE(records.size() == 4 * per_thread);
    std::map<std::string, int> next;  // each thread's records appear in its own order
    int out_of_order = 0;
    for (const auto& r : records) {
        CHECK(r.at("message") == padding);
        int& expected = next[r.at("stage").get<std::string>()];
        if (r.at("attempt") != expected) ++out_of_order;
        expected = r.at("attempt").get<int>() + 1;
    }
    CHECK(out_of_order == 0);
    CHECK(next.size() == 4);
}

TEST_CASE("invalid UTF-8 in a record is replaced, not an exception", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    auto ledger = RunLedger::create(dir, "p");
    ledger.write({{"record", "stage"}, {"stage", "a"}, {"status", "failed"}, {"message", std::string("bad \xff byte")}});
    const auto records = read_ledger(ledger.path());
    REQUIRE(records.size() == 1);
    CHECK(records[0].at("message") == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("read_ledger ignores a truncated last line and rejects a corrupt middle line", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    auto ledger = RunLedger::create(dir, "killed");
    ledger.write(stage("a", "started"));
    ledger.write(stage("a", "succeeded"));
    append_raw(ledger.path(), R"({"record":"stage","stage":"b","sta)");
    CHECK(read_ledger(ledger.path()).size() == 2);

    const auto corrupt = dir / "corrupt.jsonl";
    append_raw(corrupt, R"({"record":"run","event":"start"})" "\n" R"({"record":"stage"})" "\n" R"({"record":"stage", oops})" "\n" R"({"record":"stage"})" "\n");
    CHECK_THROWS_AS(read_ledger(corrupt), orrery::InputError);
    CHECK_THROWS_WITH(read_ledger(corrupt), Catch::StartsWith(corrupt.string() + ":3: corrupt ledger record"));

    const auto not_object = dir / "array.jsonl";
    append_raw(not_object, "{}\n[1, 2]\n");
    CHECK_THROWS_WITH(read_ledger(not_object), Catch::StartsWith(not_object.string() + ":2: "));
    // A complete (newline-ended) but unparseable last line is corruption, not truncation.
    const auto bad_end = dir / "bad_end.jsonl";
    append_raw(bad_end, "{}\n{\"a\":\n");
    CHECK_THROWS_WITH(read_ledger(bad_end), Catch::StartsWith(bad_end.string() + ":2: "));
    CHECK_THROWS_AS(read_ledger(dir / "none.jsonl"), orrery::InputError);
}

TEST_CASE("reopen appends to a run, dropping a record cut short", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    std::string id;
    {
        auto ledger = RunLedger::create(dir, "resumable");
        id = ledger.run_id();
        ledger.write({{"record", "run"}, {"event", "start"}, {"pipeline", "resumable"}});
        ledger.write(stage("a", "succeeded"));
        ledger.write(stage("b", "failed"));
    }
    append_raw(dir / (id + ".jsonl"), R"({"record":"stage","stage":"c","status":"sta)");
    {
        auto again = RunLedger::reopen(dir, id);
        CHECK(again.run_id() == id);
        CHECK(again.path() == dir / (id + ".jsonl"));
        again.write(stage("b", "succeeded"));
        again.write({{"record", "run"}, {"event", "finish"}, {"status", "succeeded"}});
    }
    const auto records = read_ledger(dir / (id + ".jsonl"));
    REQUIRE(records.size() == 5);
    CHECK(records[3].at("stage") == "b");
    CHECK(records[3].at("status") == "succeeded");
    CHECK(records[4].at("event") == "finish");

    CHECK_THROWS_AS(RunLedger::reopen(dir, "20000101T000000Z_nothing"), orrery::UsageError);
    CHECK_THROWS_WITH(RunLedger::reopen(dir, "20000101T000000Z_nothing"), Catch::Contains("20000101T000000Z_nothing"));
    CHECK_THROWS_AS(RunLedger::reopen(dir, "../" + id), orrery::UsageError);
}

TEST_CASE("list_runs summarises every run, newest last, and find_run finds one or the last", "[workflow][ledger]") {
    const orrery::test::TempDir dir("orrery_ledger");
    CHECK(list_runs(dir / "absent").empty());
    CHECK_FALSE(find_run(dir, "last").has_value());

    // Created out of order; the start records carry the start times.
    const auto write_run = [&dir](std::chrono::system_clock::time_point t, const std::string& pipeline, const std::string& start_time,
                                  const std::vector<json>& stages, const std::string& finish) {
        auto ledger = RunLedger::create(dir, pipeline, t);
        ledger.write({{"record", "run"}, {"event", "start"}, {"pipeline", pipeline}, {"time", start_time}});
        for (const auto& s : stages) ledger.write(s);
        if (!finish.empty()) ledger.write({{"record", "run"}, {"event", "finish"}, {"status", finish}});
        return ledger.run_id();
    };
    const auto middle = write_run(at(10, 0, 0), "docs", "2026-12-03T10:00:00.100Z",
                                  {stage("a", "started"), stage("a", "succeeded"), stage("b", "started"), stage("b", "failed")}, "failed");
    const auto newest_b = write_run(at(11, 0, 0), "docs", "2026-12-03T11:00:00.900Z", {stage("a", "cached")}, "succeeded");
    const auto oldest = write_run(at(9, 30, 0), "release", "2026-12-03T09:30:00.000Z", {stage("bump", "started")}, "");
    const auto newest_a = write_run(at(11, 0, 0), "zeta", "2026-12-03T11:00:00.200Z", {}, "succeeded");
    append_raw(dir / "notes.txt", "not a ledger\n");

    const auto runs = list_runs(dir);
    REQUIRE(runs.size() == 4);
    CHECK(runs[0].run_id == oldest);
    CHECK(runs[1].run_id == middle);
    CHECK(runs[2].run_id == newest_a);  // same second as newest_b, earlier start record
    CHECK(runs[3].run_id == newest_b);

    CHECK(runs[0].pipeline == "release");
    CHECK(runs[0].status == "incomplete");  // killed: no finish record
    CHECK(runs[0].stage_counts == std::map<std::string, std::size_t>{{"started", 1}});
    CHECK(runs[1].status == "failed");
    CHECK(runs[1].started == "2026-12-03T10:00:00.100Z");
    CHECK(runs[1].stage_counts == std::map<std::string, std::size_t>{{"failed", 1}, {"succeeded", 1}});
    CHECK(runs[3].stage_counts == std::map<std::string, std::size_t>{{"cached", 1}});

    CHECK(find_run(dir, "last") == dir / (newest_b + ".jsonl"));
    CHECK(find_run(dir, middle) == dir / (middle + ".jsonl"));
    CHECK(find_run(dir, middle + ".jsonl") == dir / (middle + ".jsonl"));
    CHECK_FALSE(find_run(dir, "20991231T000000Z_docs").has_value());
    CHECK_FALSE(find_run(dir, "../" + middle).has_value());

    SECTION("a corrupt ledger is listed as such, not skipped") {
        append_raw(dir / (middle + ".jsonl"), "garbage\n{}\n");
        const auto again = list_runs(dir);
        REQUIRE(again.size() == 4);
        CHECK(again[1].status == "corrupt");
        CHECK_THAT(again[1].problem, Catch::Contains(middle + ".jsonl:7: corrupt ledger record: syntax error"));
    }
}
