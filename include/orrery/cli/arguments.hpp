#pragma once
// Command-line parsing for `orrery strun` / `orrery run` with stpipe's syntax:
//
//   strun [framework flags] <alias | class | parameter file> [inputs...]
//         [--<param>=VALUE | --<param> VALUE]... [--steps.<alias>.<param>=VALUE]...
//
// Framework flags are hyphenated (--save-parameters, --log-level); step
// parameters keep their underscores and are dotted for children. Every value
// arrives as text and is typed by the step's parameter schema when the step is
// configured; its source is the flag ("--steps.jump.rejection_threshold"), so a
// bad value is reported against the flag. Flags may come before or after the
// positionals; "--" ends the options. Unlike argparse, option names are not
// abbreviated: they must be written in full.

#include "orrery/core/errors.hpp"
#include "orrery/core/param_tree.hpp"

#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::cli {

enum class Mode { strun, run };

/// Framework (non-parameter) options.
struct Options {
    bool help = false;
    bool debug = false;
    bool version = false;
    bool verbose = false;
    bool disable_crds_steppars = false;  // accepted, no effect (orrery never contacts CRDS)
    bool no_progress = false;
    std::optional<std::string> save_parameters;
    std::optional<std::string> log_level;
    std::optional<std::string> log_file;
    std::optional<std::string> log_stream;
    std::optional<std::string> logcfg;  // deprecated in stpipe; accepted and ignored with a warning
    std::optional<std::string> ref_dir;
    bool allow_reference_hooks = false;  // shell-command hooks from pars-* files in ref_dir
    std::optional<std::string> ledger;
    // orrery run only
    std::vector<std::string> only;
    std::vector<std::string> skip;
    std::optional<std::string> from;
    std::optional<std::string> to;
    bool dry_run = false;
    bool continue_on_error = false;
};

struct Invocation {
    Options options;
    std::vector<std::string> positionals;     // [0] = step / pipeline / parameter file; the rest are inputs
    ParamNode parameters = ParamNode::map();  // --param=value (layer 4), sources = the flags
};

namespace detail {

struct FlagSpec {
    std::string_view name;
    bool takes_value;
    bool run_only;
};

inline constexpr FlagSpec framework_flags[] = {
    {"help", false, false},          {"debug", false, false},         {"version", false, false},
    {"verbose", false, false},       {"disable-crds-steppars", false, false},
    {"no-progress", false, false},   {"save-parameters", true, false}, {"log-level", true, false},
    {"log-file", true, false},       {"log-stream", true, false},     {"logcfg", true, false},
    {"ref-dir", true, false},        {"ledger", true, false},         {"only", true, true},
    {"allow-reference-hooks", false, false},
    {"from", true, true},            {"to", true, true},              {"dry-run", false, true},
    {"continue-on-error", false, true},
};

inline const FlagSpec* find_flag(std::string_view name, Mode mode) {
    if (mode == Mode::run && name == "skip") {
        static constexpr FlagSpec skip{"skip", true, true};
        return &skip;
    }
    for (const auto& f : framework_flags)
        if (f.name == name) return &f;
    return nullptr;
}

/// "a, b,c" -> {a, b, c}
inline std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    while (true) {
        auto comma = s.find(',');
        std::string_view part = s.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

/// A dotted parameter path: identifiers separated by single dots.
inline bool valid_param_path(std::string_view p) {
    if (p.empty() || p.front() == '.' || p.back() == '.') return false;
    char prev = 0;
    for (char c : p) {
        if (c == '.' && prev == '.') return false;
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
        prev = c;
    }
    return true;
}

inline bool looks_like_negative_number(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}

inline void apply_flag(Options& o, std::string_view name, const std::string& value) {
    if (name == "help") o.help = true;
    else if (name == "debug") o.debug = true;
    else if (name == "version") o.version = true;
    else if (name == "verbose") o.verbose = true;
    else if (name == "disable-crds-steppars") o.disable_crds_steppars = true;
    else if (name == "no-progress") o.no_progress = true;
    else if (name == "save-parameters") o.save_parameters = value;
    else if (name == "log-level") o.log_level = value;
    else if (name == "log-file") o.log_file = value;
    else if (name == "log-stream") o.log_stream = value;
    else if (name == "logcfg") o.logcfg = value;
    else if (name == "ref-dir") o.ref_dir = value;
    else if (name == "allow-reference-hooks") o.allow_reference_hooks = true;
    else if (name == "ledger") o.ledger = value;
    else if (name == "only") for (auto& s : split_list(value)) o.only.push_back(s);
    else if (name == "skip") for (auto& s : split_list(value)) o.skip.push_back(s);
    else if (name == "from") o.from = value;
    else if (name == "to") o.to = value;
    else if (name == "dry-run") o.dry_run = true;
    else if (name == "continue-on-error") o.continue_on_error = true;
}

}  // namespace detail

/// Parse the arguments after the command name ("strun" / "run").
inline Invocation parse_invocation(std::span<const std::string> args, Mode mode) {
    Invocation inv;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.empty() || a == "-" || a[0] != '-' || detail::looks_like_negative_number(a)) {
            inv.positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        if (a == "-h") {
            inv.options.help = true;
            continue;
        }
        if (a == "-v") {
            inv.options.verbose = true;
            continue;
        }
        if (a.size() < 3 || a[1] != '-') throw UsageError("unknown option '" + a + "' (parameters are written --name=value)");

        const auto eq = a.find('=');
        const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        std::optional<std::string> value;
        if (eq != std::string::npos) value = a.substr(eq + 1);

        if (const auto* flag = detail::find_flag(name, mode)) {
            if (flag->run_only && mode != Mode::run)
                throw UsageError("--" + name + " is an option of 'orrery run', not of strun (use: orrery run <pipeline> <input> --" + name + " ...)");
            if (flag->takes_value) {
                if (!value) {
                    if (i + 1 >= args.size()) throw UsageError("option --" + name + " needs a value (--" + name + "=VALUE)");
                    value = args[++i];
                }
            } else if (value) {
                throw UsageError("option --" + name + " takes no value (got '" + *value + "')");
            }
            detail::apply_flag(inv.options, name, value.value_or(std::string{}));
            continue;
        }

        // A step parameter.
        if (!detail::valid_param_path(name))
            throw UsageError("'" + a + "' is not a valid parameter option (expected --<param>=VALUE or --steps.<alias>.<param>=VALUE)");
        if (!value) {
            if (i + 1 >= args.size() || (args[i + 1].rfind("--", 0) == 0 && !detail::looks_like_negative_number(args[i + 1])))
                throw UsageError("parameter option --" + name + " needs a value (--" + name + "=VALUE)");
            value = args[++i];
        }
        inv.parameters.set_path(name, ParamNode::scalar(*value, "--" + name));
    }
    return inv;
}

}  // namespace orrery::cli
