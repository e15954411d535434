#pragma once
// Domain-free steps for the command-line tests (package "clitest"), all
// std::string -> std::string so any of them can be skipped or selected:
//
//   textproc = repeat -> check -> stamp -> upper (upper is skipped by default)
//
//   repeat  parameters of every kind (int with a minimum, string, option,
//           optional float, int list); repeats the text
//   check   fails on demand: StepError (exit 1) when the text contains
//           `fail_on`, InputError (exit 3) on "BADINPUT", NoScienceError (64) on
//           blank text
//   stamp   uses a reference file (reftype "stamp"): appends its content;
//           override_stamp=N/A skips it
//   upper   upper-cases
//   spread  appends how many ranges the context's parallel loop split 64
//           items into (1: the loop ran serially)
//
// Include after the product_traits<std::string> specialisation (hello_io.hpp).

#include "orrery/orrery.hpp"

#include <atomic>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace clitest {

struct RepeatParams {
    int count = 1;
    std::string separator = " ";
    std::string mode = "plain";
    std::optional<double> scale{};
    std::vector<int> pattern{};
    double tolerance = 1e-5;
    ORRERY_REFLECT(RepeatParams,
        (count, "How many times the text is repeated", orrery::min(1), orrery::max(100)),
        (separator, "Text put between the repetitions"),
        (mode, "plain keeps the text, loud upper-cases it", orrery::one_of("plain|loud")),
        (scale, "An optional number (recorded only)"),
        (pattern, "A list of integers (recorded only)"),
        (tolerance, "A small float (recorded only)"))
};

struct Repeat {
    static constexpr std::string_view name = "repeat";
    static constexpr std::string_view class_name = "clitest.RepeatStep";
    static constexpr std::string_view description = "Repeat the text";
    using Params = RepeatParams;
    static std::string process(std::string text, const Params& p, orrery::Context&) {
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        std::string out;
        for (int i = 0; i < p.count; ++i) out += (i ? p.separator : std::string()) + text;
        if (p.mode == "loud")
            for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return out;
    }
};

struct CheckParams {
    std::string fail_on = "FAIL";
    ORRERY_REFLECT(CheckParams, (fail_on, "The step fails when the text contains this"))
};

struct Check {
    static constexpr std::string_view name = "check";
    static constexpr std::string_view class_name = "clitest.CheckStep";
    static constexpr std::string_view description = "Fail on demand";
    static constexpr std::string_view status_key = "check";
    using Params = CheckParams;
    static std::string process(std::string text, const Params& p, orrery::Context&) {
        if (text.find("BADINPUT") != std::string::npos) throw orrery::InputError("input text is corrupt (contains BADINPUT)");
        bool blank = true;
        for (char c : text) blank = blank && std::isspace(static_cast<unsigned char>(c));
        if (blank) throw orrery::NoScienceError("no text to process");
        if (!p.fail_on.empty() && text.find(p.fail_on) != std::string::npos)
            throw orrery::StepError("the text contains '" + p.fail_on + "'");
        return text;
    }
};

struct StampParams {
    std::string prefix = " ";
    ORRERY_REFLECT(StampParams, (prefix, "Put before the stamp"))
};

struct Stamp {
    static constexpr std::string_view name = "stamp";
    static constexpr std::string_view class_name = "clitest.StampStep";
    static constexpr std::string_view description = "Append the stamp reference file's text";
    static constexpr std::string_view reference_types[] = {"stamp"};
    using Params = StampParams;
    static std::string process(std::string text, const Params& p, orrery::Context& ctx) {
        const auto ref = ctx.resolve_reference("stamp");
        if (ref.not_applicable) {
            ctx.skip_step("no stamp reference (N/A)");
            return text;
        }
        std::ifstream in(ref.path);
        std::ostringstream ss;
        ss << in.rdbuf();
        std::string stamp = ss.str();
        while (!stamp.empty() && (stamp.back() == '\n' || stamp.back() == '\r')) stamp.pop_back();
        return text + p.prefix + stamp;
    }
};

struct Upper {
    static constexpr std::string_view name = "upper";
    static constexpr std::string_view class_name = "clitest.UpperStep";
    static constexpr std::string_view description = "Upper-case the text";
    static constexpr bool default_skip = true;
    using Params = orrery::NoParams;
    static std::string process(std::string text, const Params&, orrery::Context&) {
        for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return text;
    }
};

struct Spread {
    static constexpr std::string_view name = "spread";
    static constexpr std::string_view class_name = "clitest.SpreadStep";
    static constexpr std::string_view description = "Append how many ranges a parallel loop over 64 items ran as";
    using Params = orrery::NoParams;
    static std::string process(std::string text, const Params&, orrery::Context& ctx) {
        std::atomic<int> ranges{0};
        ctx.parallel_for(64, [&](std::size_t, std::size_t) { ++ranges; });
        return text + " ranges=" + std::to_string(ranges.load());
    }
};

struct TextPipelineParams {
    bool shout = false;
    ORRERY_REFLECT(TextPipelineParams, (shout, "Append '!' to the result"))
};

struct TextPipeline {
    static constexpr std::string_view name = "textproc";
    static constexpr std::string_view class_name = "clitest.TextPipeline";
    static constexpr std::string_view description = "Repeat, check, stamp and upper-case a text";
    using Params = TextPipelineParams;
    static auto chain() {
        return orrery::chain(Repeat{}, Check{}, Stamp{}, Upper{}, orrery::tap<std::string>([](std::string& s, const Params& p, orrery::Context&) {
                                 if (p.shout) s += "!";
                             }));
    }
};

}  // namespace clitest

ORRERY_REGISTER_STEP(clitest::Repeat)
ORRERY_REGISTER_STEP(clitest::Check)
ORRERY_REGISTER_STEP(clitest::Stamp)
ORRERY_REGISTER_STEP(clitest::Upper)
ORRERY_REGISTER_STEP(clitest::Spread)
ORRERY_REGISTER_PIPELINE(clitest::TextPipeline)
