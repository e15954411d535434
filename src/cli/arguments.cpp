// Command-line parsing for `orrery strun` / `orrery run` (see arguments.hpp).

#include "arguments.hpp"

#include "orrery/core/errors.hpp"
#include "orrery/stpipe/cfg_reader.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::cli {

namespace {

struct FlagSpec {
    std::string_view name;
    bool takes_value;
    bool run_only;
};

constexpr FlagSpec framework_flags[] = {
    {"help", false, false},          {"debug", false, false},         {"version", false, false},
    {"verbose", false, false},       {"disable-crds-steppars", false, false},
    {"no-progress", false, false},   {"save-parameters", true, false}, {"log-level", true, false},
    {"log-file", true, false},       {"log-stream", true, false},     {"logcfg", true, false},
    {"ref-dir", true, false},        {"ledger", true, false},         {"only", true, true},
    {"allow-reference-hooks", false, false},
    {"from", true, true},            {"to", true, true},              {"dry-run", false, true},
    {"continue-on-error", false, true},
};

/// `run`'s step selection; in strun, --skip is the step's own parameter (stpipe's).
constexpr FlagSpec run_skip_flag{"skip", true, true};

const FlagSpec* find_flag(std::string_view name, Mode mode) {
    if (mode == Mode::run && name == run_skip_flag.name) return &run_skip_flag;
    for (const auto& f : framework_flags)
        if (f.name == name) return &f;
    return nullptr;
}

bool flag_in_mode(const FlagSpec& f, Mode mode) { return !f.run_only || mode == Mode::run; }

/// The flags `name` is a proper prefix of (argparse's allow_abbrev). Hyphenated flags
/// cannot be shortened to a name with '_' or '.', which only parameters have.
std::vector<const FlagSpec*> flags_with_prefix(std::string_view name, Mode mode) {
    std::vector<const FlagSpec*> out;
    if (name.find_first_of("_.") != std::string_view::npos) return out;
    for (const auto& f : framework_flags)
        if (flag_in_mode(f, mode) && f.name.size() > name.size() && f.name.starts_with(name)) out.push_back(&f);
    if (mode == Mode::run && run_skip_flag.name.starts_with(name) && name != run_skip_flag.name) out.push_back(&run_skip_flag);
    return out;
}

std::string ambiguity(std::string_view typed, const std::vector<std::string>& candidates) {
    std::string list;
    for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + ("--" + c);
    return "ambiguous option: --" + std::string(typed) + " could match " + list;
}

/// "a, b,c" -> {a, b, c}
std::vector<std::string> split_list(std::string_view s) {
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
bool valid_param_path(std::string_view p) {
    if (p.empty() || p.front() == '.' || p.back() == '.') return false;
    char prev = 0;
    for (char c : p) {
        if (c == '.' && prev == '.') return false;
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
        prev = c;
    }
    return true;
}

bool looks_like_negative_number(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}

void apply_flag(Options& o, std::string_view name, const std::string& value) {
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

}  // namespace


Invocation parse_invocation(std::span<const std::string> args, Mode mode) {
    Invocation inv;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.empty() || a == "-" || a[0] != '-' || looks_like_negative_number(a)) {
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
        if (a.size() < 3 || a[1] != '-') throw ArgumentSyntaxError("unknown option '" + a + "' (parameters are written --name=value)");

        const auto eq = a.find('=');
        const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        std::optional<std::string> value;
        if (eq != std::string::npos) value = a.substr(eq + 1);

        const FlagSpec* flag = find_flag(name, mode);
        if (!flag) {
            if (const auto prefixed = flags_with_prefix(name, mode); prefixed.size() == 1) {
                flag = prefixed.front();
                inv.abbreviated_flags.push_back({name, std::string(flag->name)});
            } else if (prefixed.size() > 1) {
                std::vector<std::string> names;
                for (const auto* f : prefixed) names.emplace_back(f->name);
                throw ArgumentSyntaxError(ambiguity(name, names));
            }
        }
        if (flag) {
            if (flag->run_only && mode != Mode::run)
                throw ArgumentSyntaxError("--" + std::string(flag->name) + " is an option of 'orrery run', not of strun (use: orrery run <pipeline> <input> --" + name + " ...)");
            if (flag->takes_value) {
                if (!value) {
                    if (i + 1 >= args.size()) throw ArgumentSyntaxError("option --" + name + " needs a value (--" + name + "=VALUE)");
                    value = args[++i];
                }
            } else if (value) {
                throw ArgumentSyntaxError("option --" + name + " takes no value (got '" + *value + "')");
            }
            apply_flag(inv.options, flag->name, value.value_or(std::string{}));
            continue;
        }

        // A step parameter.
        if (!valid_param_path(name))
            throw ArgumentSyntaxError("'" + a + "' is not a valid parameter option (expected --<param>=VALUE or --steps.<alias>.<param>=VALUE)");
        if (!value) {
            if (i + 1 >= args.size() || (args[i + 1].rfind("--", 0) == 0 && !looks_like_negative_number(args[i + 1])))
                throw ArgumentSyntaxError("parameter option --" + name + " needs a value (--" + name + "=VALUE)");
            value = args[++i];
        }
        inv.parameters.set_path(name, stpipe::read_configobj_value(*value, "--" + name));
    }
    return inv;
}

namespace {

/// Every option path of a parameter tree: "p", "steps.jump.p", ...
void collect_paths(const ParamNode& node, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& [key, child] : node.children()) {
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        if (key == "steps" && child.is_map()) {
            for (const auto& [alias, sub] : child.children())
                if (sub.is_map()) collect_paths(sub, path + "." + alias, out);
            continue;
        }
        out.push_back(path);
    }
}

/// The given options (leaves of the command-line tree) as paths with their nodes.
void given_options(const ParamNode& node, const std::string& prefix, std::vector<std::pair<std::string, const ParamNode*>>& out) {
    for (const auto& [key, child] : node.children()) {
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        if (child.is_map()) given_options(child, path, out);
        else out.emplace_back(path, &child);
    }
}

}  // namespace

void resolve_abbreviations(Invocation& inv, const ParamNode& parameters) {
    std::vector<std::string> paths;
    collect_paths(parameters, "", paths);
    auto prefixed = [&](std::string_view typed) {
        std::vector<std::string> out;
        for (const auto& p : paths)
            if (p.size() > typed.size() && p.starts_with(typed)) out.push_back(p);
        return out;
    };
    // A flag matched by prefix while parsing is only unambiguous if no parameter shares the prefix.
    for (const auto& a : inv.abbreviated_flags) {
        auto candidates = prefixed(a.typed);
        if (candidates.empty()) continue;
        candidates.insert(candidates.begin(), a.flag);
        throw ArgumentSyntaxError(ambiguity(a.typed, candidates));
    }
    std::vector<std::pair<std::string, const ParamNode*>> given;
    given_options(inv.parameters, "", given);
    ParamNode resolved = ParamNode::map();
    bool renamed = false;
    for (const auto& [path, node] : given) {
        std::string target = path;
        if (std::find(paths.begin(), paths.end(), path) == paths.end()) {
            const auto candidates = prefixed(path);
            if (candidates.size() > 1) throw ArgumentSyntaxError(ambiguity(path, candidates));
            if (candidates.size() == 1) {
                target = candidates.front();
                renamed = true;
            }
        }
        resolved.set_path(target, *node);  // given twice (in full and shortened): the last wins, as in argparse
    }
    if (renamed) inv.parameters = std::move(resolved);
}

}  // namespace orrery::cli
