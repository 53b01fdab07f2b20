import WebApp
print("mappa")
