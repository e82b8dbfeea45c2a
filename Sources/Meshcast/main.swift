print("meshcast")
