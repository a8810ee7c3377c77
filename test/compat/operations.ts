// Storefront operations as frontends write them (Catalyst-style: variables, fragments, the gateway's own
// fields next to BigCommerce's). The compat tests validate them against the emitted SDL and against the
// gateway composed over the full Storefront schema, so a schema change that breaks a client shows up here.

export const CLIENT_OPERATIONS: Readonly<Record<string, string>> = {
  Login: /* GraphQL */ `
    mutation Login($email: String!, $password: String!, $guestCartEntityId: String) {
      login(email: $email, password: $password, guestCartEntityId: $guestCartEntityId) {
        sessionToken
        customer { entityId email firstName lastName customerGroupId }
        cart { entityId }
      }
    }
  `,
  Logout: /* GraphQL */ `
    mutation Logout($cartEntityId: String) {
      logout(cartEntityId: $cartEntityId) { result }
    }
  `,
  ProductsWithPrices: /* GraphQL */ `
    query ProductsWithPrices($first: Int = 10, $after: String, $currencyCode: String) {
      site {
        products(first: $first, after: $after) {
          pageInfo { hasNextPage endCursor }
          edges {
            cursor
            node { ...ProductCard }
          }
        }
      }
    }
    fragment ProductCard on Product {
      entityId
      name
      sku
      path
      prices {
        price { value currencyCode }
        salePrice { value currencyCode }
        basePrice { value }
        retailPrice { value }
        priceRange { min { value } max { value } }
        bulkPricing {
          minimumQuantity
          maximumQuantity
          ... on BulkPricingFixedPriceDiscount { price }
          ... on BulkPricingPercentageDiscount { percentOff }
          ... on BulkPricingRelativePriceDiscount { priceAdjustment }
        }
      }
      pricing(currencyCode: $currencyCode) { ...Pricing }
    }
    fragment Pricing on ProductPricing {
      productId
      variantId
      price { asEntered taxInclusive taxExclusive enteredInclusive }
      salePrice { asEntered }
      calculatedPrice { asEntered taxInclusive }
      priceRange { minimum { asEntered } maximum { asEntered } }
      bulkPricing { minimum maximum discountAmount discountType }
    }
  `,
  Pricing: /* GraphQL */ `
    query Pricing($input: PricingInput!) {
      pricing(input: $input) {
        productId
        variantId
        options { optionId valueId }
        calculatedPrice { asEntered taxInclusive }
        retailPrice { asEntered }
        saved { asEntered }
      }
    }
  `,
  CustomerLoginUrl: /* GraphQL */ `
    mutation CustomerLoginUrl($redirectTo: String, $channelId: Int) {
      customerLoginUrl(redirectTo: $redirectTo, channelId: $channelId) { url redirectTo expiresAt }
    }
  `,
  CheckoutLoginUrl: /* GraphQL */ `
    mutation CheckoutLoginUrl($cartEntityId: String!) {
      checkoutLoginUrl(cartEntityId: $cartEntityId) { url redirectTo expiresAt }
    }
  `,
  CurrentCustomer: /* GraphQL */ `
    query CurrentCustomer($currentCustomerJwt: String) {
      currentCustomer(currentCustomerJwt: $currentCustomerJwt) {
        entityId
        email
        customerGroupId
        source
        customer { firstName lastName email }
      }
    }
  `,
  LoginWithCurrentCustomerJwt: /* GraphQL */ `
    mutation LoginWithCurrentCustomerJwt($currentCustomerJwt: String!) {
      loginWithCurrentCustomerJwt(currentCustomerJwt: $currentCustomerJwt) {
        sessionToken
        customer { entityId email source }
      }
    }
  `,
  CreateCart: /* GraphQL */ `
    mutation CreateCart($input: CreateCartInput!) {
      cart {
        createCart(input: $input) {
          cart {
            entityId
            currencyCode
            amount { value currencyCode }
            lineItems {
              totalQuantity
              physicalItems { entityId productEntityId variantEntityId quantity name listPrice { value } }
            }
          }
        }
      }
    }
  `,
};
