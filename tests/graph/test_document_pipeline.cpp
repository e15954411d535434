// examples/document_pipeline, in process and as the program a user runs: the
// sample ingests into a knowledge graph; a flaky source is retried; unchanged
// content stops at the gate with nothing rewritten; bad documents fail validation.
#include "../../examples/document_pipeline/document_graph.hpp"
#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using orrery::test::run_program;
using orrery::test::slurp;

namespace {
const std::string program = ORRERY_BINARY_DIR "/bin/document_pipeline";
const fs::path sample = fs::path(ORRERY_TEST_DATA_DIR) / "../../examples/document_pipeline/sample";
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("the document graph is valid and fills its state keys and output counters") {
    auto g = docpipe::document_graph(20);
    REQUIRE(g.problems().empty());
    orrery::Context ctx;
    ctx.set_logger(nullptr);
    auto r = g.run(ctx, {}, orrery::AnyValue("file://" + fs::absolute(sample).lexically_normal().string()));
    REQUIRE(r.ok());
    CHECK(ctx.get_state<std::vector<docpipe::Document>>("documents").size() == 3);  // ingest's state key
    const auto chunks = r.output<std::vector<docpipe::Chunk>>("chunk").size();
    CHECK(ctx.get_state<std::size_t>("chunk_count") == chunks);  // chunk's own output handler
    CHECK(r.stage("embed").output_count == chunks);              // one embedding per chunk (fan-out)
    CHECK(r.stage("index").output_count == r.output<docpipe::SearchIndex>("index").postings.size());
    const auto& kg = r.output<docpipe::KnowledgeGraph>("knowledge_graph");
    CHECK(r.stage("knowledge_graph").output_count == kg.edges.size());
    CHECK(std::find(kg.edges.begin(), kg.edges.end(), std::pair<std::string, std::string>{"Jupiter", "Saturn"}) != kg.edges.end());
    CHECK(kg.written.empty());  // no Workspace service: nothing written
}

TEST_CASE("document_pipeline runs the sample, retries a flaky source, and stops at the gate when nothing changed") {
    const orrery::test::TempDir dir("document_pipeline");
    const auto out = dir.path() / "out";

    auto first = run_program(program, {sample.string(), out.string(), "--flaky", "2"}, dir.path());
    INFO(first.out << first.err);
    REQUIRE(first.rc == 0);
    CHECK(contains(first.out, "download: attempt 1 failed (connection reset while reading file://"));
    CHECK(contains(first.out, "download: done, 3 output(s), 3 attempts"));
    CHECK(contains(first.out, "document_pipeline: SUCCEEDED"));
    const std::string graph = slurp(out / "knowledge_graph.tsv");
    CHECK(contains(graph, "Jupiter\tSaturn\n"));
    CHECK(contains(slurp(out / "ledger.jsonl"), "\"status\":\"SUCCEEDED\""));

    const auto written = fs::last_write_time(out / "knowledge_graph.tsv");
    auto again = run_program(program, {sample.string(), out.string()}, dir.path());
    INFO(again.out << again.err);
    CHECK(again.rc == 1);
    CHECK(contains(again.out, "gate: FAILED (nothing changed since the last successful run (content fnv1a64:"));
    CHECK(contains(again.out, "knowledge_graph: skipped (cancelled: stage 'gate' failed (fail-fast))"));
    CHECK(fs::last_write_time(out / "knowledge_graph.tsv") == written);
    CHECK(slurp(out / "knowledge_graph.tsv") == graph);
    CHECK(contains(slurp(out / "ledger.jsonl"), "\"gate\":{\"status\":\"FAILED\""));
}

TEST_CASE("document_pipeline gives up after its retries and refuses an untitled document") {
    const orrery::test::TempDir dir("document_pipeline_bad");
    auto flaky = run_program(program, {sample.string(), (dir.path() / "out").string(), "--flaky", "9"}, dir.path());
    CHECK(flaky.rc == 1);
    CHECK(contains(flaky.out, "download: FAILED (connection reset while reading"));
    CHECK(contains(flaky.out, "download: attempt 3 failed"));
    CHECK_FALSE(contains(flaky.out, "download: attempt 4 failed"));  // four attempts: three waits

    fs::create_directories(dir.path() / "docs");
    std::ofstream(dir.path() / "docs" / "a.md") << "# A title\n\nSome text about Webb and Hubble.\n";
    std::ofstream(dir.path() / "docs" / "b.md") << "No title here, only text.\n";
    auto bad = run_program(program, {(dir.path() / "docs").string(), (dir.path() / "out2").string()}, dir.path());
    CHECK(bad.rc == 1);
    CHECK(contains(bad.out, "ir_validation: FAILED (b.md: no '# ' title line)"));
    CHECK_FALSE(fs::exists(dir.path() / "out2" / "knowledge_graph.tsv"));

    auto usage = run_program(program, {"--flaky", "x"}, dir.path());
    CHECK(usage.rc == 2);
    CHECK(usage.err == "document_pipeline: error: option --flaky needs an integer\n"
                       "usage: document_pipeline [SOURCE] [OUTPUT_DIR] [--flaky N] [--max-words N] [--continue-on-error]\n");
}
