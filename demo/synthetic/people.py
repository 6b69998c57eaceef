"""Names and places for the synthetic dataset: short word lists combined by the plan's
random generator (no real person's name is meant; every email is under .invalid)."""

from __future__ import annotations

FIRST_NAMES = (
    "Aaliyah", "Adam", "Aisha", "Alfie", "Amelia", "Amir", "Archie", "Ava", "Ayesha", "Bella",
    "Ben", "Bilal", "Caleb", "Chloe", "Connor", "Daisy", "Daniel", "Dylan", "Ella", "Ellie",
    "Emily", "Ethan", "Evie", "Faith", "Finley", "Freya", "George", "Grace", "Hannah", "Harry",
    "Harvey", "Hassan", "Isla", "Ivy", "Jack", "Jacob", "Jayden", "Jessica", "Joshua", "Kai",
    "Kayden", "Layla", "Leo", "Lewis", "Lily", "Logan", "Lucas", "Maisie", "Mason", "Maya",
    "Mia", "Mohammed", "Muhammad", "Noah", "Nuala", "Olivia", "Oscar", "Poppy", "Priya",
    "Reggie", "Riley", "Rosie", "Ruby", "Ryan", "Sami", "Sienna", "Sophie", "Theo", "Tia",
    "Tyler", "Willow", "Yusuf", "Zara", "Zainab", "Kacper", "Oliwia", "Tomasz", "Amara",
    "Kofi", "Chidi",
)  # fmt: skip
SURNAMES = (
    "Ahmed", "Ali", "Allen", "Baker", "Begum", "Bennett", "Brown", "Campbell", "Carter",
    "Clarke", "Cooper", "Davies", "Edwards", "Evans", "Green", "Hall", "Harris", "Hill",
    "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones", "Khan", "King", "Kowalski",
    "Lee", "Lewis", "Martin", "Mensah", "Mitchell", "Moore", "Morgan", "Morris", "Murphy",
    "Nowak", "Okafor", "Owen", "Parker", "Patel", "Phillips", "Price", "Roberts", "Robinson",
    "Scott", "Shah", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward",
    "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
)  # fmt: skip
PLACES = (
    "Ashford", "Beacon", "Birchwood", "Brook", "Castle", "Cedar", "Chapel", "Church", "Clay",
    "Cross", "Elm", "Fair", "Field", "Forest", "Glebe", "Green", "Grove", "Hall", "Harbour",
    "Hazel", "Heath", "High", "Hill", "Holly", "King's", "Lake", "Lime", "Manor", "Mead",
    "Mill", "Moor", "Oak", "Orchard", "Park", "Priory", "Queen's", "River", "Rose", "St Anne's",
    "St John's", "St Mary's", "St Peter's", "Station", "Stone", "Valley", "Willow", "Wood",
)  # fmt: skip
