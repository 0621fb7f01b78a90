import locale
locale.setlocale(locale.LC_ALL, '')
