#!/usr/bin/env python3
"""'any' handler: runs at every action (first argument) and records the effective parameters as JSON."""
import json
import os
import sys

action = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PACKSTER_ACTION", "unknown")
deployment = os.environ["PACKSTER_DEPLOYMENT_PATH"]
with open(os.environ["PACKSTER_PARAMETERS_FILE"], encoding="utf-8") as f:
    parameters = json.load(f)

if action in ("install", "upgrade"):
    os.makedirs(os.path.join(deployment, "etc"), exist_ok=True)
    path = os.path.join(deployment, "etc", "greeter.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"action": action, "parameters": parameters}, f, sort_keys=True)
    os.replace(path + ".tmp", path)
    print(f"greeter-service: {action}: wrote {path}")
else:
    print(f"greeter-service: {action}: nothing to do")
