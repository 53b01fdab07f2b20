import Domain
import Database
