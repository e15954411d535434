// docs/cli.md shows examples/custom_strun's code: every line of code in its
// section "Ship your own strun-compatible tool" must be a line of the example,
// so the documentation cannot drift from the code that is compiled and tested.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::filesystem::path source_dir = std::filesystem::path(ORRERY_TEST_DATA_DIR).parent_path().parent_path();

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string trimmed(std::string line) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    return line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("docs/cli.md: the custom strun tool's code is examples/custom_strun's", "[cli][docs]") {
    const std::string doc = read(source_dir / "docs/cli.md");
    const std::string heading = "## Ship your own strun-compatible tool\n";
    const auto start = doc.find(heading);
    REQUIRE(start != std::string::npos);
    const auto end = doc.find("\n## ", start + heading.size());
    const std::string section = doc.substr(start, end == std::string::npos ? std::string::npos : end - start);

    std::set<std::string> example;
    for (const char* file : {"main.cpp", "series_steps.hpp", "CMakeLists.txt"})
        for (const auto& line : lines(read(source_dir / "examples/custom_strun" / file))) example.insert(trimmed(line));

    int blocks = 0, checked = 0;
    bool in_code = false;
    for (const auto& line : lines(section)) {
        if (line.rfind("```", 0) == 0) {
            in_code = !in_code && (line == "```cpp" || line == "```cmake");
            blocks += in_code ? 1 : 0;
            continue;
        }
        if (!in_code || trimmed(line).empty()) continue;
        INFO("docs/cli.md line: " << line);
        CHECK(example.count(trimmed(line)) == 1);
        ++checked;
    }
    CHECK(blocks >= 4);  // the step, the registrations, main.cpp, the CMake lines
    CHECK(checked >= 25);
}
