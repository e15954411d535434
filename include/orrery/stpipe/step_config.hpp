#pragma once
// The content of a parameter file, as stpipe's step_config schema sees it:
// a class, a name, the step's parameters and the configs of its child steps.
//
// Readers turn files into this and then into the merged-tree form every
// AnyStep::configure() takes:
//     {class: C, name: N, <param>: <value>, ..., steps: {<alias>: {...}}}
// (class / name / config_file are identity keys the core ignores). The ASDF
// writer goes the other way, from a configured step to this and to a file.

#include "orrery/core/param_tree.hpp"

#include <string>
#include <utility>
#include <vector>

namespace orrery::stpipe {

struct StepConfigDoc {
    std::string class_name;                   // "jwst.jump.JumpStep"; may be empty in hand-written files
    std::string name;                         // the alias inside a pipeline ("jump")
    ParamNode parameters = ParamNode::map();  // the step's own parameters (no "steps")
    std::vector<StepConfigDoc> steps;         // child steps, in order
    std::string source;                       // "file:line" of the entry, for messages
};

/// The merged-tree form of a document (see the header comment).
inline ParamNode to_tree(const StepConfigDoc& doc) {
    ParamNode tree = ParamNode::map(doc.source);
    if (!doc.class_name.empty()) tree.set("class", ParamNode::scalar(doc.class_name, doc.source, true));
    if (!doc.name.empty()) tree.set("name", ParamNode::scalar(doc.name, doc.source, true));
    for (const auto& [key, value] : doc.parameters.children()) {
        if (key == "steps" && value.is_map()) {
            // a "steps" map left inside parameters (legacy layout): merge with the list below
            tree.child("steps", value.source()).merge(value);
            continue;
        }
        if (key == "class" || key == "name") continue;  // already carried by the document
        tree.set(key, value);
    }
    if (!doc.steps.empty()) {
        ParamNode& steps = tree.child("steps", doc.source);
        for (const auto& child : doc.steps) {
            ParamNode sub = to_tree(child);
            if (auto* existing = steps.find(child.name)) existing->merge(sub);
            else steps.set(child.name, std::move(sub));
        }
    }
    return tree;
}

}  // namespace orrery::stpipe
