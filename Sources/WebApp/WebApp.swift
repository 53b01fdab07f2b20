import HTTPServer
import Store
