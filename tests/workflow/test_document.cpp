// YAML/JSON documents with line numbers and budgets (workflow/document.hpp).
#include "orrery/workflow/document.hpp"

#include <catch2/catch.hpp>

#include <string>

using orrery::ConfigError;
using orrery::workflow::parse_document;

TEST_CASE("a YAML document keeps the line of every value", "[workflow][document]") {
    const auto doc = parse_document("name: demo\nstages:\n  - id: a\n    command: run.sh\n  - id: b\n    needs: [a]\n", "g.yaml");
    CHECK(doc.value["stages"][1]["needs"][0] == "a");
    CHECK(doc.where("/stages/1/needs") == "g.yaml:6");
    CHECK(doc.where("/stages/0/command") == "g.yaml:4");
    CHECK(doc.where("/stages/0/nonexistent") == "g.yaml:3");  // the nearest enclosing value
}

TEST_CASE("JSON goes through the same reader, with lines", "[workflow][document]") {
    const auto doc = parse_document("{\n  \"name\": \"x\",\n  \"stages\": [\n    {\"id\": \"a\", \"timeout\": 2.5, \"optional\": true}\n  ]\n}\n", "g.json");
    CHECK(doc.value["stages"][0]["timeout"].get<double>() == 2.5);
    CHECK(doc.value["stages"][0]["optional"].get<bool>());
    CHECK(doc.where("/stages/0") == "g.json:4");
}

TEST_CASE("plain scalars are typed as YAML 1.2 core, quoted ones stay strings", "[workflow][document]") {
    const auto doc = parse_document("a: 12\nb: '12'\nc: true\nd: 'true'\ne: ~\nf: 1e3\ng: yes\nh: 0x1F\ni: -4\n", "t.yaml");
    CHECK(doc.value["a"].is_number_integer());
    CHECK(doc.value["b"].is_string());
    CHECK(doc.value["c"].is_boolean());
    CHECK(doc.value["d"].is_string());
    CHECK(doc.value["e"].is_null());
    CHECK(doc.value["f"].get<double>() == 1000.0);
    CHECK(doc.value["g"] == "yes");  // YAML 1.1 booleans are strings in 1.2
    CHECK(doc.value["h"] == 31);
    CHECK(doc.value["i"] == -4);
}

TEST_CASE("bad documents are one error naming file and line", "[workflow][document]") {
    CHECK_THROWS_WITH(parse_document("a: [1, 2\nb: 3\n", "bad.yaml"), Catch::Contains("bad.yaml:") && Catch::Contains("not valid YAML/JSON"));
    CHECK_THROWS_WITH(parse_document("a: 1\nb: 2\na: 3\n", "dup.yaml"), Catch::Contains("dup.yaml:3") && Catch::Contains("duplicate key 'a'"));
}

TEST_CASE("alias bombs and deep nesting hit the budgets before memory does", "[workflow][document]") {
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; ++c)
        bomb += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
                static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
                static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + "]\n";
    CHECK_THROWS_WITH(parse_document(bomb, "bomb.yaml"), Catch::Contains("bomb.yaml") && Catch::Contains("values (YAML aliases expand)"));
    CHECK_THROWS_WITH(parse_document(std::string(10'000, '[') + std::string(10'000, ']'), "deep.json"), Catch::Contains("deep.json") && Catch::Contains("nested deeper"));
    orrery::workflow::DocumentBudget small;
    small.max_bytes = 10;
    CHECK_THROWS_AS(parse_document("name: a long enough text\n", "big.yaml", small), ConfigError);
}

TEST_CASE("a missing file is named", "[workflow][document]") {
    CHECK_THROWS_WITH(orrery::workflow::load_document("/nonexistent/graph.yaml"), "/nonexistent/graph.yaml: no such file");
}
