// Parameter listings for `strun <name> -h` and `orrery describe <name>` (see help.hpp).

#include "help.hpp"

#include "orrery/core/any_step.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/param_value.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/registry.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace orrery::cli {

std::string display_value(const ParamNode& v) {
    switch (v.kind()) {
        case ParamNode::Kind::null: return "None";
        case ParamNode::Kind::scalar: return v.quoted() ? "'" + v.text() + "'" : v.text();
        case ParamNode::Kind::list: {
            std::string s = "[";
            for (std::size_t i = 0; i < v.items().size(); ++i) s += (i ? ", " : "") + display_value(v.items()[i]);
            return s + "]";
        }
        case ParamNode::Kind::map: return v.to_string();
    }
    return {};
}

std::string pretty_type(std::string t) {
    static const std::string long_string = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
    for (auto at = t.find(long_string); at != std::string::npos; at = t.find(long_string)) t.replace(at, long_string.size(), "std::string");
    return t;
}

namespace {

std::string bound_text(double v) {
    if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15) return std::to_string(static_cast<long long>(v));
    return orrery::detail::format_double(v);
}

}  // namespace

std::string schema_type(const ParamSchema& s) {
    std::string t = s.type;
    if (!s.options.empty()) {
        t = "option(";
        for (std::size_t i = 0; i < s.options.size(); ++i) t += (i ? ", '" : "'") + s.options[i] + "'";
        t += ")";
    }
    std::string bounds;
    if (s.lower) bounds += "min=" + bound_text(*s.lower);
    if (s.upper) bounds += (bounds.empty() ? "" : ", ") + std::string("max=") + bound_text(*s.upper);
    if (!bounds.empty()) t += "(" + bounds + ")";
    if (s.optional) t += " or None";
    return t;
}

void add_schema_rows(std::vector<ParamRow>& rows, const std::string& prefix, const StepInfo& info, const ParamNode* values) {
    auto add = [&](const ParamSchema& s) {
        const ParamNode* v = values ? values->find(s.name) : nullptr;
        rows.push_back({"--" + prefix + s.name, schema_type(s), display_value(v ? *v : s.default_value), s.help});
    };
    for (const auto& s : info.params) add(s);
    for (const auto& s : info.builtin_params()) add(s);
}

std::vector<ParamRow> parameter_rows(const AnyStep& step, const Context& ctx) {
    std::vector<ParamRow> rows;
    const StepInfo& info = step.info();
    const ParamNode current = step.parameters();
    add_schema_rows(rows, "", info, &current);
    if (info.kind != StepKind::pipeline) return rows;
    const ParamNode* steps = current.find("steps");
    for (const auto& entry : step.plan(ctx)) {
        const StepInfo* child = nullptr;
        try {
            child = Registry::instance().find(entry.class_name);
        } catch (const Error&) {
        }
        const std::string prefix = "steps." + entry.alias + ".";
        if (child) {
            add_schema_rows(rows, prefix, *child, steps ? steps->find(entry.alias) : nullptr);
        } else if (steps) {
            if (const auto* sub = steps->find(entry.alias))
                for (const auto& [k, v] : sub->children()) rows.push_back({"--" + prefix + k, "", display_value(v), ""});
        }
    }
    return rows;
}

void print_rows(std::ostream& out, const std::vector<ParamRow>& rows) {
    std::size_t wf = 0, wt = 0, wd = 0;
    for (const auto& r : rows) {
        wf = std::max(wf, r.flag.size());
        wt = std::max(wt, r.type.size());
        wd = std::max(wd, r.default_text.size() + 2);
    }
    wf = std::min<std::size_t>(wf, 48);
    wt = std::min<std::size_t>(wt, 28);
    wd = std::min<std::size_t>(wd, 24);
    auto pad = [](const std::string& s, std::size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size() + 1, ' '); };
    for (const auto& r : rows) {
        std::string line = "  " + pad(r.flag, wf) + pad(r.type, wt) + pad("[" + r.default_text + "]", wd) + r.help;
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    }
}

void print_framework_options(std::ostream& out, Mode mode) {
    out << "framework options:\n"
           "  -h, --help                 show this help (after the step name: its parameters)\n"
           "  --save-parameters FILE     write the merged parameters as an ASDF file (before running)\n"
           "  --ref-dir DIR              reference directory (also ORRERY_REF_DIR): DIR/<reftype>.fits, DIR/pars-<class>.asdf\n"
           "  --allow-reference-hooks    let pars-* files in the reference directory run shell-command hooks\n"
           "  --log-level LEVEL          DEBUG, INFO, WARNING, ERROR or CRITICAL (default INFO)\n"
           "  --log-file PATH            write log records to PATH\n"
           "  --log-stream STREAM        stdout, stderr (default) or null\n"
           "  -v, --verbose              DEBUG logging\n"
           "  --debug                    print the full error chain on failure\n"
           "  --disable-crds-steppars    accepted for stpipe compatibility; no effect (orrery never contacts CRDS)\n"
           "  --no-progress              no per-step progress lines\n"
           "  --ledger DIR               write a run ledger to DIR/<run-id>.jsonl"
        << (mode == Mode::run ? " (default .orrery-runs)" : "") << "\n"
        << "  --version                  library and plug-in layer versions\n";
    if (mode == Mode::run)
        out << "run options:\n"
               "  --only A,B                 run only these steps of the pipeline\n"
               "  --skip C,D                 skip these steps\n"
               "  --from A / --to B          run the steps from A to B (inclusive, in run order)\n"
               "  --dry-run                  print the resolved plan; read no data\n"
               "  --continue-on-error        a failing input does not stop the others; the run is marked degraded\n";
}

std::string kind_text(StepKind k) { return k == StepKind::pipeline ? "pipeline" : "step"; }

void print_step_summary(std::ostream& out, const StepInfo& info) {
    out << info.class_name << " (" << info.alias << "), " << kind_text(info.kind);
    if (!info.description.empty()) out << ": " << info.description;
    out << "\n";
    out << "  input: " << pretty_type(info.input_type_name) << "  ->  output: " << pretty_type(info.output_type_name) << "\n";
    if (!info.children.empty()) {
        out << "  steps:";
        for (std::size_t i = 0; i < info.children.size(); ++i) out << (i ? ", " : " ") << info.children[i];
        out << "\n";
    }
    if (!info.reference_types.empty()) {
        out << "  reference types:";
        for (std::size_t i = 0; i < info.reference_types.size(); ++i) out << (i ? ", " : " ") << info.reference_types[i];
        out << "\n";
    }
    if (!info.status_key.empty()) out << "  status key: " << info.status_key << "\n";
    if (info.default_skip) out << "  skipped by default\n";
    out << "  reads files: " << (info.load_input ? "yes" : "no") << ", saves products: " << (info.save_output ? "yes" : "no") << "\n";
    if (!info.origin.empty()) out << "  registered at: " << info.origin << "\n";
}

void print_step_help(std::ostream& out, const AnyStep& step, const Context& ctx, Mode mode, const std::string& prog) {
    const StepInfo& info = step.info();
    out << "usage: " << prog << " " << info.alias << " <input> [more inputs] [--<param>=VALUE ...]";
    if (info.kind == StepKind::pipeline) out << " [--steps.<alias>.<param>=VALUE ...]";
    out << "\n\n";
    print_step_summary(out, info);
    out << "\nparameters:\n";
    print_rows(out, parameter_rows(step, ctx));
    out << "\n";
    print_framework_options(out, mode);
}

}  // namespace orrery::cli
