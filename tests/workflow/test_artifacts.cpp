// Artifacts: hashes of files and directories, JSON artifacts against a schema,
// schemas loaded from JSON and YAML files.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"
#include "orrery/workflow/artifacts.hpp"

namespace fs = std::filesystem;
using namespace orrery::workflow;

namespace {

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("hash_artifact of a file: sha256sum's digest and the size", "[workflow][artifacts]") {
    const orrery::test::TempDir dir("orrery_artifacts");
    write(dir / "report.json", "{\"ok\": true}\n");
    const auto r = hash_artifact("report", dir / "report.json");
    CHECK(r.name == "report");
    CHECK(r.path == dir / "report.json");
    CHECK(r.bytes == 13);
    CHECK_FALSE(r.directory);
    const auto sum = orrery::test::run_program("/usr/bin/sha256sum", {"report.json"}, dir);
    REQUIRE(sum.rc == 0);
    CHECK(r.sha256 == sum.out.substr(0, 64));
    const auto j = r.to_json();
    CHECK(j.at("sha256") == r.sha256);
    CHECK(j.at("bytes") == 13);
    CHECK_FALSE(j.contains("directory"));
    const auto back = ArtifactRecord::from_json(j);
    CHECK(back.sha256 == r.sha256);
    CHECK(back.path == r.path);
}

TEST_CASE("hash_artifact of a directory covers names and contents of every file", "[workflow][artifacts]") {
    const orrery::test::TempDir dir("orrery_artifacts");
    const auto site = dir / "site";
    write(site / "index.html", "<h1>hi</h1>");
    write(site / "css" / "a.css", "body{}");
    const auto first = hash_artifact("site", site);
    CHECK(first.directory);
    CHECK(first.bytes == 11 + 6);
    CHECK(first.to_json().at("directory") == true);

    // Same tree built in another order elsewhere: same digest.
    const auto copy = dir / "copy";
    write(copy / "css" / "a.css", "body{}");
    write(copy / "index.html", "<h1>hi</h1>");
    CHECK(hash_artifact("site", copy).sha256 == first.sha256);

    SECTION("changed contents") {
        write(site / "css" / "a.css", "body{ }");
        CHECK(hash_artifact("site", site).sha256 != first.sha256);
    }
    SECTION("renamed file") {
        fs::rename(site / "css" / "a.css", site / "css" / "b.css");
        CHECK(hash_artifact("site", site).sha256 != first.sha256);
    }
    SECTION("a new empty file") {
        write(site / "empty.txt", "");
        CHECK(hash_artifact("site", site).sha256 != first.sha256);
    }
    SECTION("bytes moved between two files") {
        write(site / "index.html", "<h1>hi</h1>body{}");
        write(site / "css" / "a.css", "");
        CHECK(hash_artifact("site", site).sha256 != first.sha256);
    }
}

TEST_CASE("a missing artifact is a StepError naming it and its path", "[workflow][artifacts]") {
    const orrery::test::TempDir dir("orrery_artifacts");
    const auto missing = dir / "out" / "rates.json";
    CHECK_THROWS_AS(hash_artifact("rates", missing), orrery::StepError);
    CHECK_THROWS_WITH(hash_artifact("rates", missing), "artifact 'rates': " + missing.string() + " does not exist");
}

TEST_CASE("validate_json_artifact reports schema errors and non-JSON files one line each", "[workflow][artifacts]") {
    const orrery::test::TempDir dir("orrery_artifacts");
    write(dir / "schema.json", R"({"type": "object", "required": ["pages"],
        "properties": {"pages": {"type": "array", "items": {"type": "object", "required": ["title"],
                       "properties": {"title": {"type": "string"}}}}}})");
    const auto schema = load_schema_file(dir / "schema.json");
    CHECK(schema.origin() == (dir / "schema.json").string());

    write(dir / "good.json", R"({"pages": [{"title": "Home"}]})");
    CHECK(validate_json_artifact(dir / "good.json", schema).empty());

    write(dir / "bad.json", R"({"pages": [{"title": "Home"}, {"title": 7}, {}]})");
    const auto lines = validate_json_artifact(dir / "bad.json", schema);
    REQUIRE(lines.size() == 2);
    const std::string bad = (dir / "bad.json").string();
    CHECK(lines[0] == bad + "/pages/1/title: expected string, got integer");
    CHECK(lines[1] == bad + "/pages/2: missing required key 'title'");

    write(dir / "broken.json", "{\n  \"pages\": [\n    {\"title\": \"Home\"},\n  ]\n}\n");
    const auto broken = validate_json_artifact(dir / "broken.json", schema);
    REQUIRE(broken.size() == 1);
    CHECK_THAT(broken[0], Catch::StartsWith((dir / "broken.json").string() + ": not JSON: 4:3: syntax error"));

    CHECK_THROWS_AS(validate_json_artifact(dir / "absent.json", schema), orrery::InputError);
}

TEST_CASE("load_schema_file reads YAML schemas and names the file in errors", "[workflow][artifacts]") {
    const orrery::test::TempDir dir("orrery_artifacts");
    write(dir / "summary.schema.yaml", R"(type: object
additionalProperties: false
properties:
  count: {type: integer, minimum: 0}
  mean: {type: number}
  label: {type: string, enum: ["rates", "1.5"]}
required: [count]
)");
    const auto schema = load_schema_file(dir / "summary.schema.yaml");
    CHECK(schema.validate(nlohmann::json::parse(R"({"count": 3, "mean": 1.5, "label": "1.5"})")).empty());
    const auto errors = schema.validate(nlohmann::json::parse(R"({"count": -1, "label": "x", "extra": 1})"));
    REQUIRE(errors.size() == 3);

    write(dir / "bad.yaml", "type: object\nproperties: [\n");
    CHECK_THROWS_AS(load_schema_file(dir / "bad.yaml"), orrery::ConfigError);
    CHECK_THROWS_WITH(load_schema_file(dir / "bad.yaml"), Catch::StartsWith((dir / "bad.yaml").string() + ":"));
    write(dir / "bad.json", "{\"type\": }");
    CHECK_THROWS_WITH(load_schema_file(dir / "bad.json"), Catch::StartsWith((dir / "bad.json").string() + ": not JSON: 1:10"));
    write(dir / "unusable.json", R"({"minimum": "one"})");
    CHECK_THROWS_WITH(load_schema_file(dir / "unusable.json"), Catch::StartsWith((dir / "unusable.json").string() + ": not a usable JSON Schema"));
    CHECK_THROWS_WITH(load_schema_file(dir / "none.json"), Catch::Contains((dir / "none.json").string()));
}

TEST_CASE("yaml_to_json types plain scalars and keeps quoted ones as strings", "[workflow][artifacts]") {
    const auto j = parse_yaml_as_json("a: 1\nb: -2\nc: 1.5e3\nd: true\ne: ~\nf: '7'\ng: \"true\"\nh: text\ni: [1, x]\nj: .inf\nk:\n", "t.yaml");
    CHECK(j.at("a") == 1);
    CHECK(j.at("b") == -2);
    CHECK(j.at("c") == 1500.0);
    CHECK(j.at("d") == true);
    CHECK(j.at("e").is_null());
    CHECK(j.at("f") == "7");
    CHECK(j.at("g") == "true");
    CHECK(j.at("h") == "text");
    CHECK(j.at("i") == nlohmann::json::array({1, "x"}));
    CHECK(j.at("j") == ".inf");
    CHECK(j.at("k").is_null());
    CHECK_THROWS_WITH(parse_yaml_as_json("a: [1,\n", "t.yaml"), Catch::StartsWith("t.yaml:"));
    CHECK_THROWS_WITH(parse_yaml_as_json("a: 1\nb:\n  c: 2\n  c: 3\n", "t.yaml"), "t.yaml:4: duplicate key 'c'");
    CHECK_THROWS_WITH(parse_yaml_as_json("? [1, 2]\n: x\n", "t.yaml"), "t.yaml:1: a mapping key must be a string");
}
