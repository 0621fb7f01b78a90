import win32com.client
def shortcut(path, target):
    shell = win32com.client.Dispatch('WScript.Shell')
    s = shell.CreateShortCut(path)
    s.Targetpath = target
    s.save()
