import requests
name = 'value'
x = eval(f"'{name}'")
