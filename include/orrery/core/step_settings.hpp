#pragma once
// The built-in parameters every step has (the names and meanings of stpipe's, so
// that parameter files round-trip with it), plus one override_<reftype> per
// reference type (kept apart: their names depend on the step). output_ext starts
// as the step's output product's extension (product_traits<T>::extension), empty
// for products that declare none (then saved files take the input's extension).

#include "orrery/core/params.hpp"
#include "orrery/core/references.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orrery {

struct StepSettings {
    bool skip = false;
    bool save_results = false;
    std::optional<std::string> suffix;
    std::optional<std::string> output_file;
    std::optional<std::string> output_dir;
    std::string output_ext;
    bool output_use_model = false;
    bool output_use_index = true;
    bool search_output_file = true;
    std::string input_dir;
    std::vector<std::string> pre_hooks;
    std::vector<std::string> post_hooks;
};

/// Whether a step saves its results: save_results, or an output_file (stpipe sets
/// save_results for a step given one).
inline bool saves_results(const StepSettings& s) { return s.save_results || (s.output_file && !s.output_file->empty()); }

}  // namespace orrery

ORRERY_PARAMS(orrery::StepSettings,
    (skip, "Skip this step"),
    (save_results, "Save results"),
    (suffix, "Default suffix for output files"),
    (output_file, "File to save output to"),
    (output_dir, "Directory path for output files"),
    (output_ext, "Output file type (default: the product's own, e.g. .fits)"),
    (output_use_model, "When saving use `DataModel.meta.filename`"),
    (output_use_index, "Append index"),
    (search_output_file, "Use outputfile define in parent step"),
    (input_dir, "Input directory"),
    (pre_hooks, "Hooks to run before the step: step or function names, or shell commands ({0} = input file)"),
    (post_hooks, "Hooks to run after the step: step or function names, or shell commands ({0} = output file)"))
