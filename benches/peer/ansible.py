"""Writes an Ansible project that renders kubeplan's node templates with the `template`
module, one inventory host per node, `connection: local`: the peer that
scripts/bench-scale.sh times against kubeplan.

    python3 ansible.py CONTEXTS.json TEMPLATES_DIR OUT_DIR PROJECT_DIR

CONTEXTS.json is what `cargo run --example bench-contexts` prints. Run it with the
Python of the venv that holds ansible-core: the modules run with that interpreter.
"""

import json
import os
import shutil
import sys

PLAYBOOK = """\
- name: Render kubeplan's templates for every node
  hosts: all
  connection: local
  gather_facts: false
  tasks:
    - name: Make the node's folder
      ansible.builtin.file:
        path: "{{ kp_out }}/{{ inventory_hostname }}"
        state: directory
        mode: "0755"
    - name: Render the node's files
      ansible.builtin.template:
        src: "{{ item.template }}"
        dest: "{{ kp_out }}/{{ item.path }}"
        mode: "{{ '%o' % item.mode }}"
        trim_blocks: false
        lstrip_blocks: false
      loop: "{{ kp_files }}"
"""


def main(contexts, templates, out, project):
    with open(contexts, encoding="utf-8") as f:
        data = json.load(f)
    os.makedirs(os.path.join(project, "group_vars"), exist_ok=True)
    os.makedirs(os.path.join(project, "host_vars"), exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copytree(
        os.path.join(here, "filter_plugins"),
        os.path.join(project, "filter_plugins"),
        dirs_exist_ok=True,
    )
    # templates/ beside the playbook is where `template` looks, for `src` and includes:
    # a copy, with the cluster's network partials also under the names the OS templates
    # include them by (kubeplan's engine registers them so, compiler/render/mod.rs).
    copy = os.path.join(project, "templates")
    shutil.copytree(templates, copy, dirs_exist_ok=True)
    for alias, own in data["partials"].items():
        shutil.copyfile(os.path.join(copy, own), os.path.join(copy, alias))
    with open(os.path.join(project, "group_vars", "all.json"), "w", encoding="utf-8") as f:
        json.dump(
            {
                "cluster": data["cluster"],
                "kp_out": os.path.abspath(out),
            },
            f,
        )
    with open(os.path.join(project, "inventory.ini"), "w", encoding="utf-8") as inv:
        inv.write("[nodes]\n")
        for n in data["nodes"]:
            inv.write(f"{n['name']} ansible_connection=local\n")
            path = os.path.join(project, "host_vars", n["name"] + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"node": n["node"], "kp_files": n["files"]}, f)
    with open(os.path.join(project, "playbook.yml"), "w", encoding="utf-8") as f:
        f.write(PLAYBOOK)
    with open(os.path.join(project, "ansible.cfg"), "w", encoding="utf-8") as f:
        # Modules run with the Python that runs this script (the venv's).
        f.write(
            "[defaults]\n"
            f"filter_plugins = {os.path.abspath(os.path.join(project, 'filter_plugins'))}\n"
            f"interpreter_python = {sys.executable}\n"
        )


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
