SYMBOLS = {'\\mbfA': '𝐀', '\\mbfB': '𝐁'}  # 𝐂
DOC = """𝐃 is bold D"""
