import subprocess
cmd = '-NoProfile -Command (Get-CimInstance -ClassName Win32_Processor).NumberOfCores'
info = subprocess.run(f'powershell.exe {cmd}'.split(), capture_output=True)
