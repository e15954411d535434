#pragma once
/// The one schema of stage-graph files (JSON Schema draft-07), shipped inside the
/// library so the loader, `orrery graph schema` and editors all use the same text.
/// docs/graph-files.md documents every property (a test checks it against this).

#include <string_view>

namespace orrery::workflow {

inline constexpr std::string_view stage_graph_schema_text = R"schema(
{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://orrery.dev/schema/stage-graph-1.json",
  "title": "orrery stage-graph file",
  "description": "Stages (registered steps or external commands), their dependencies and artifacts, named pipelines, hooks and configuration. YAML or JSON.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "version": {"description": "Schema version of this file.", "enum": [1]},
    "name": {"description": "The graph's name (ledger file names, progress).", "$ref": "#/definitions/identifier"},
    "description": {"type": "string"},
    "workflow": {"description": "A registered workflow type whose default stages come first (e.g. release); its configuration is config.<workflow>.", "$ref": "#/definitions/identifier"},
    "config": {"description": "Values for ${config.x}; overridden by --param, over the global orrery.yaml and the environment.", "type": "object"},
    "params": {
      "description": "Run parameters the file accepts (--param name=value), with defaults: ${params.name}.",
      "type": "object",
      "additionalProperties": {
        "oneOf": [
          {"type": ["string", "number", "boolean", "null"]},
          {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "default": {"type": ["string", "number", "boolean", "null"]},
              "description": {"type": "string"},
              "required": {"type": "boolean"}
            }
          }
        ]
      }
    },
    "env": {"description": "Environment for every command stage (a stage's own env wins).", "$ref": "#/definitions/string_map"},
    "adapters": {
      "description": "Integration adapters to start for the run (git, filesystem, http, ...) with their configuration: ${adapter.<name>.<key>}.",
      "type": "object",
      "additionalProperties": {"type": "object"}
    },
    "requires": {
      "description": "What doctor and run check before anything runs.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "env": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}},
        "programs": {"type": "array", "items": {"type": "string", "minLength": 1}}
      }
    },
    "stages": {"type": "array", "items": {"$ref": "#/definitions/stage"}},
    "pipelines": {
      "description": "Named ordered subsets of the stages; 'full-refresh' (all stages) unless named otherwise.",
      "type": "object",
      "propertyNames": {"$ref": "#/definitions/identifier"},
      "additionalProperties": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/identifier"}}
    },
    "default_pipeline": {"$ref": "#/definitions/identifier"},
    "hooks": {"$ref": "#/definitions/hooks"}
  },
  "definitions": {
    "identifier": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_.-]*$", "maxLength": 128},
    "string_map": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
    "duration": {
      "description": "Seconds as a number, or a string with a unit: 250ms, 2s, 1.5m, 1h.",
      "oneOf": [
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"}
      ]
    },
    "artifact": {
      "oneOf": [
        {"type": "string", "minLength": 1},
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["path"],
          "properties": {
            "path": {"type": "string", "minLength": 1},
            "schema": {"description": "A JSON Schema file the artifact (JSON) must satisfy after the stage.", "type": "string", "minLength": 1},
            "description": {"type": "string"}
          }
        }
      ]
    },
    "artifacts": {"type": "object", "propertyNames": {"$ref": "#/definitions/identifier"}, "additionalProperties": {"$ref": "#/definitions/artifact"}},
    "retry": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
        "initial_backoff": {"$ref": "#/definitions/duration"},
        "multiplier": {"type": "number", "minimum": 1},
        "max_backoff": {"$ref": "#/definitions/duration"},
        "jitter": {"type": "number", "minimum": 0, "maximum": 1}
      }
    },
    "hook": {
      "type": "object",
      "additionalProperties": false,
      "required": ["type"],
      "properties": {
        "type": {"enum": ["command", "validate", "cleanup"]},
        "description": {"type": "string"},
        "stages": {"description": "Global hooks only: the stages it applies to (default: every stage).", "type": "array", "items": {"$ref": "#/definitions/identifier"}},
        "command": {"type": "string", "minLength": 1},
        "args": {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        "runtime": {"enum": ["python", "node", "shell", "exec"]},
        "artifact": {"description": "validate: the stage's output artifact to check (default: every output with a schema).", "type": "string"},
        "path": {"type": "string"},
        "schema": {"type": "string"},
        "paths": {"description": "cleanup: files or directories to remove.", "type": "array", "items": {"type": "string", "minLength": 1}}
      }
    },
    "hooks": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "pre": {"type": "array", "items": {"$ref": "#/definitions/hook"}},
        "post": {"type": "array", "items": {"$ref": "#/definitions/hook"}}
      }
    },
    "stage": {
      "type": "object",
      "additionalProperties": false,
      "required": ["id"],
      "properties": {
        "id": {"$ref": "#/definitions/identifier"},
        "description": {"type": "string"},
        "step": {"description": "A registered step, pipeline or step handler (alias or class name).", "type": "string", "minLength": 1},
        "parameters": {"type": "object"},
        "command": {"description": "A program or script: a path (relative to the file) or a name on PATH.", "type": "string", "minLength": 1},
        "args": {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        "env": {"$ref": "#/definitions/string_map"},
        "cwd": {"type": "string", "minLength": 1},
        "runtime": {"enum": ["python", "node", "shell", "exec"]},
        "needs": {"type": "array", "items": {"$ref": "#/definitions/identifier"}},
        "inputs": {"$ref": "#/definitions/artifacts"},
        "outputs": {"$ref": "#/definitions/artifacts"},
        "retry": {"$ref": "#/definitions/retry"},
        "timeout": {"$ref": "#/definitions/duration"},
        "when": {"type": ["string", "boolean"]},
        "condition": {"type": ["string", "boolean"]},
        "optional": {"type": "boolean"},
        "hooks": {"$ref": "#/definitions/hooks"}
      },
      "oneOf": [
        {"required": ["step"], "not": {"anyOf": [{"required": ["command"]}, {"required": ["args"]}, {"required": ["runtime"]}]}},
        {"required": ["command"], "not": {"anyOf": [{"required": ["step"]}, {"required": ["parameters"]}]}}
      ]
    }
  }
}
)schema";

}  // namespace orrery::workflow
