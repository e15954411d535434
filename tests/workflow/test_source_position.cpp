// JSON pointers back to lines and columns in YAML and JSON files.

#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "orrery/workflow/json_schema.hpp"
#include "orrery/workflow/source_position.hpp"

using namespace orrery::workflow;

namespace {

const char* const yaml_text = R"(# a graph
stages:
  - id: fetch
    command: python3
  - id: parse
    retry:
      max_attempts: 0
    needs: [fetch, "a/b"]
pipelines:
  "a/b~c": [fetch]
)";

const char* const json_text = "{\n"
                              "  \"stages\": [\n"
                              "    {\"id\": \"fetch\", \"note\": \"has } and ] and \\\" inside\"},\n"
                              "    {\"id\": \"parse\",\n"
                              "     \"retry\": {\"max_attempts\": 0}, \"needs\": [\"fetch\", [1, {\"x\": 2}], \"last\"]}\n"
                              "  ],\n"
                              "  \"pipelines\": {\"a/b~c\": [\"fetch\"], \"\\u00e9t\\u00e9\": 1}\n"
                              "}\n";

std::string at(SourcePosition p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

}  // namespace

TEST_CASE("split_json_pointer unescapes ~1 and ~0", "[workflow][position]") {
    CHECK(split_json_pointer("").empty());
    CHECK(split_json_pointer("/a~1b~0c/0/") == std::vector<std::string>{"a/b~c", "0", ""});
}

TEST_CASE("yaml_position finds keys and elements, or the deepest existing part", "[workflow][position]") {
    const YAML::Node doc = YAML::Load(yaml_text);
    CHECK(at(yaml_position(doc, "")) == "2:1");
    CHECK(at(yaml_position(doc, "/stages")) == "2:1");
    CHECK(at(yaml_position(doc, "/stages/1")) == "5:5");
    CHECK(at(yaml_position(doc, "/stages/1/retry/max_attempts")) == "7:7");
    CHECK(at(yaml_position(doc, "/stages/1/needs/1")) == "8:20");
    CHECK(at(yaml_position(doc, "/pipelines/a~1b~0c")) == "10:3");
    // Not in the file: the deepest part that is.
    CHECK(at(yaml_position(doc, "/stages/1/retry/delay")) == "6:5");
    CHECK(at(yaml_position(doc, "/stages/7/id")) == "2:1");
    CHECK(at(yaml_position(doc, "/stages/x")) == "2:1");
    // The document is only read.
    CHECK(YAML::Dump(doc) == YAML::Dump(YAML::Load(yaml_text)));
}

TEST_CASE("json_position finds keys and elements, skipping strings with brackets", "[workflow][position]") {
    REQUIRE_NOTHROW(nlohmann::json::parse(json_text));
    CHECK(at(json_position(json_text, "")) == "1:1");
    CHECK(at(json_position(json_text, "/stages")) == "2:3");
    CHECK(at(json_position(json_text, "/stages/0")) == "3:5");
    CHECK(at(json_position(json_text, "/stages/1")) == "4:5");
    CHECK(at(json_position(json_text, "/stages/1/retry/max_attempts")) == "5:16");
    CHECK(at(json_position(json_text, "/stages/1/needs/2")) == "5:70");
    CHECK(at(json_position(json_text, "/pipelines/a~1b~0c")) == "7:17");
    CHECK(at(json_position(json_text, "/pipelines/\xC3\xA9t\xC3\xA9")) == "7:37");
    CHECK(at(json_position(json_text, "/stages/1/timeout")) == "4:5");
    CHECK(at(json_position(json_text, "/stages/9")) == "2:3");
}

TEST_CASE("a schema error's pointer leads to its line", "[workflow][position]") {
    const auto schema = JsonSchema::parse(nlohmann::json::parse(R"({"properties": {"stages": {"items": {
        "properties": {"retry": {"properties": {"max_attempts": {"minimum": 1}}}}}}}})"), "inline");
    const auto errors = schema.validate(nlohmann::json::parse(json_text));
    REQUIRE(errors.size() == 1);
    CHECK(at(json_position(json_text, errors[0].pointer)) == "5:16");
    CHECK(at(yaml_position(YAML::Load(yaml_text), errors[0].pointer)) == "7:7");
}
