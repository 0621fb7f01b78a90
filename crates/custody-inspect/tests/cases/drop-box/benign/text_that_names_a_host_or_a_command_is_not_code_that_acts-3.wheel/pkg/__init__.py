_SKILL = f"""\n---\nname: hf-cli\n---\nInstall: curl -LsSf https://hf.co/cli/install.sh | bash -s\n"""
