class TelegramIO:
    API = 'https://api.telegram.org/bot'
