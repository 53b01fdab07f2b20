/// Common and easily guessed passwords refused by `PasswordPolicy` (lowercase). Matching also ignores
/// trailing digits and symbols, so "Password123!" is refused as "password". Public knowledge, not secrets.
public enum CommonPasswords {
    public static let list: Set<String> = [
        "123456", "password", "12345678", "qwerty", "123456789", "12345", "1234", "111111", "1234567", "dragon",
        "123123", "baseball", "abc123", "football", "monkey", "letmein", "696969", "shadow", "master", "666666",
        "qwertyuiop", "123321", "mustang", "1234567890", "michael", "654321", "superman", "1qaz2wsx", "7777777",
        "121212", "000000", "qazwsx", "123qwe", "killer", "trustno1", "jordan", "jennifer", "zxcvbnm", "asdfgh",
        "hunter", "buster", "soccer", "harley", "batman", "andrew", "tigger", "sunshine", "iloveyou", "2000",
        "charlie", "robert", "thomas", "hockey", "ranger", "daniel", "starwars", "klaster", "112233", "george",
        "computer", "michelle", "jessica", "pepper", "1111", "zxcvbn", "555555", "11111111", "131313", "freedom",
        "777777", "pass", "maggie", "159753", "aaaaaa", "ginger", "princess", "joshua", "cheese", "amanda",
        "summer", "love", "ashley", "nicole", "chelsea", "biteme", "matthew", "access", "yankees", "987654321",
        "dallas", "austin", "thunder", "taylor", "matrix", "mobilemail", "mom", "monitor", "monitoring", "montana",
        "moon", "moscow", "welcome", "welcome1", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword",
        "admin", "administrator", "root", "toor", "changeme", "changeme123", "letmein123", "qwerty123",
        "qwertyuiop123", "iloveyou123", "secret", "secret123", "default", "guest", "login", "user", "test",
        "test123", "testing", "abcdef", "abcdefg", "abcdefgh", "abcd1234", "1q2w3e4r", "1q2w3e4r5t",
        "1q2w3e4r5t6y", "q1w2e3r4", "q1w2e3r4t5", "zaq12wsx", "zaq1zaq1", "asdfghjkl", "asdfghjkl123",
        "qwertyuiopasdf", "liverpool", "arsenal", "manchester", "chelsea123", "london", "london123", "england",
        "england123", "summer2024", "summer2025", "summer2026", "winter2024", "winter2025", "winter2026",
        "spring2025", "spring2026", "autumn2025", "autumn2026", "january", "february", "march", "april", "may",
        "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "police", "police123", "probation", "probation123", "mappa",
        "mappa123", "mappacoordinator", "coordinator", "prison", "prison123", "officer", "constable", "sergeant",
        "inspector", "correcthorsebatterystaple", "trustno1trustno1", "passwordpassword", "qwertyqwerty",
        "123456123456", "123456654321", "111111111111", "000000000000", "abcdefghijkl", "abc123abc123",
        "letmeinletmein", "iloveyouiloveyou", "football123", "baseball123", "superman123", "starwars123",
        "princess123", "sunshine123", "whatever", "whatever123", "flower", "hello", "hello123", "hellohello",
        "solo", "loveme", "lovely", "shadow123", "master123", "dragon123", "monkey123", "michael123", "jordan23",
        "welcome123", "welcome2026", "password2026", "password2025", "password2024", "changeit", "temp", "temp123",
        "temporary", "service", "servicedesk", "helpdesk", "support"
    ]
}
